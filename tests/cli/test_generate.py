"""`chain generate`: deterministic by seed, so a small chain is frozen whole, in both formats."""
import pytest

from .conftest import run


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_small_chain_with_fixed_seed(golden, fmt):
    result = run("generate", "--consignors", 2, "--seed", 7, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stderr == "20 entrustments\n"
    golden(f"generate-s7.{fmt}", result.stdout)


def test_output_file_has_the_same_bytes(golden, tmp_path):
    target = tmp_path / "chain.json"
    result = run("generate", "--consignors", 2, "--seed", 7, "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == "20 entrustments\n"
    golden("generate-s7.json", target.read_bytes())
