"""`chain load` into the real Neo4j: the first load, the reload of the same content, the drop."""
import pytest

from .conftest import PROCX, run


def normalised(text, dataset, settings):
    # The dataset is a fresh random name per test (conftest's `dataset` fixture) and the server's
    # URI and database come from the environment: those three, and only they, are replaced.
    # The version stays: it is the hash of the chain's content, the same on every machine.
    return (text.replace(f"'{dataset}'", "'<dataset>'")
            .replace(f" {settings.uri} ({settings.database})", " <uri> (<database>)"))


@pytest.mark.neo4j
def test_load_reload_drop(golden, dataset, neo4j_settings):
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_DATABASE": neo4j_settings.database}
    out = ""
    for args in (["load", PROCX, "--dataset", dataset], ["load", PROCX, "--dataset", dataset],
                 ["load", PROCX, "--dataset", dataset, "--drop"]):
        result = run(*args, env=env)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        out += normalised(result.stdout, dataset, neo4j_settings)
    golden("load-procx.txt", out)


def test_unreachable_server_exits_3(golden):
    result = run("load", PROCX, "--dataset", "never-written", env={"NEO4J_URI": "bolt://127.0.0.1:1"})
    assert result.exit_code == 3 and result.stdout == ""
    # The message ends with the driver's own exception, whose wording depends on the driver's
    # version and whose errno text on the operating system: that part, and only it, is replaced.
    head, sep, _driver = result.stderr.partition(" (ServiceUnavailable: ")
    assert sep, result.stderr
    golden("load-unreachable.txt", f"{head}{sep}<the driver's message>)\n")
