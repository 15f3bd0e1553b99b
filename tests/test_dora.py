"""DORA B_05.02 (docs/dora.md): the codes the chain file records (organizations[].lei and euid,
entrustments[].ict_service), checked once when the file is read; the rows and ranks of the
supply chains; and the export, which writes only those codes and says which cells it left empty
instead of inventing one.

The goldens are in tests/golden/dora-*; rewrite them with UPDATE_GOLDEN=1 and read the diff."""
import csv
import io
import os
import textwrap

import pytest
from click.testing import CliRunner

from entrustment_chain.cli.main import main
from entrustment_chain.graph.io.loader import chain_from_dict, load_chain
from entrustment_chain.graph.model.chain import ICT_SERVICE_CODES, lei_check
from entrustment_chain.graph.reports.dora import HEADER, Missing, supply_chains

from conftest import PROCX, ROOT

DORA = ROOT / "fixtures" / "dora"
COMPLETE = DORA / "complete.yaml"
INCOMPLETE = DORA / "incomplete.yaml"
OWN_ACCESS = DORA / "own-access.yaml"
ACCESS_DEEPER = DORA / "access-deeper.yaml"
UNRANKED = DORA / "unranked.yaml"
NOT_PERSONAL = DORA / "not-personal.yaml"
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")

# Published LEIs, as examples of the real format (from the Wikipedia article on the LEI, which
# docs/dora.md cites); only their check digits are tested here.
PUBLISHED_LEIS = ("5493000IBP32UQZ0KL24", "213800WSGIIZCXF1P572", "54930084UKLVMY22DS16")
# The fixture's fictional LEIs (fixtures/dora/complete.yaml): made up, with valid check digits.
FICTIONAL_LEIS = ("FICTIONBANK000000157", "FICTIONINSUR00000518", "FICTIONSAAS000000252", "FICTIONCLOUD00000390")


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"{path} does not exist; write it with UPDATE_GOLDEN=1 and read it"
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path.relative_to(ROOT)}"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def chain(org: dict | None = None, entrustment: dict | None = None):
    return chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "a", "name": "A", **(org or {})}, {"id": "b", "name": "B"}],
        "entrustments": [{"id": "a-b", "consignor": "a", "contractor": "b", **(entrustment or {})}],
    })


# ---------------------------------------------------------------------------------------------
# the LEI's check digits (ISO 17442, ISO 7064 MOD 97-10)

@pytest.mark.parametrize("lei", PUBLISHED_LEIS + FICTIONAL_LEIS)
def test_valid_leis_pass_the_check_and_are_accepted(lei):
    assert lei_check(lei)
    assert chain({"lei": lei}).organizations[0].lei == lei


@pytest.mark.parametrize("lei", PUBLISHED_LEIS)
def test_any_digit_mistyped_as_a_digit_or_letter_as_a_letter_is_caught(lei):
    """MOD 97-10 on the digits the letters expand to (A = 10 … Z = 35): one digit or one letter
    replaced by another of its kind changes the number by less than 97 times a power of ten, which
    97 never divides. (A digit typed for a letter changes the number's length, and may pass.)"""
    digits, letters = "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for i, char in enumerate(lei):
        for c in (digits if char in digits else letters):
            if c != char:
                assert not lei_check(lei[:i] + c + lei[i + 1:]), (i, c)


def test_swapped_characters_of_an_lei_are_caught():
    lei = PUBLISHED_LEIS[1]
    swapped = lei[:5] + lei[6] + lei[5] + lei[7:]
    assert swapped != lei and not lei_check(swapped)


@pytest.mark.parametrize("value,message", [
    ("5493000IBP32UQZ0KL25", "its check digits do not hold"),
    ("5493000ibp32uqz0kl24", "write it in capitals"),
    ("5493000IBP32UQZ0KL2", "an LEI has 20 characters, this has 19"),
    ("5493000IBP32UQZ0KLAB", "18 upper-case letters or digits, then two check digits"),
    ("5493000IBP32UQZ0KL24 ", "an LEI has 20 characters, this has 21"),
    (5493000, "must be an LEI (ISO 17442), 20 characters, as text"),
])
def test_a_bad_lei_is_refused_naming_the_field(value, message):
    from entrustment_chain.graph.errors import InputError

    with pytest.raises(InputError) as raised:
        chain({"lei": value})
    (problem,) = raised.value.problems
    assert problem.field == "organizations[0].lei" and message in problem.message


@pytest.mark.parametrize("value", ["DEK1101R.HRB116737", "ELGEMI.123456789", "NO123456789", "ROONRC.J40/2845/1998"])
def test_euids_of_eu_and_eea_registers_are_accepted(value):
    assert chain({"euid": value}).organizations[0].euid == value


@pytest.mark.parametrize("value", ["US123456", "GR123456", "DE", "DE 123", "de123", "DE１２３", 123])
def test_a_bad_euid_is_refused(value):
    from entrustment_chain.graph.errors import InputError

    with pytest.raises(InputError) as raised:
        chain({"euid": value})
    assert raised.value.problems[0].field == "organizations[0].euid"


# ---------------------------------------------------------------------------------------------
# the closed list of Annex III

def test_the_closed_list_is_s01_to_s19():
    assert ICT_SERVICE_CODES == tuple(f"S{n:02d}" for n in range(1, 20))


@pytest.mark.parametrize("code", ICT_SERVICE_CODES)
def test_every_code_of_annex_iii_is_accepted(code):
    assert chain(entrustment={"ict_service": code}).entrustments[0].ict_service.value == code


BAD_FILE = textwrap.dedent("""\
    schema: entrustment-chain/v1
    organizations:
      - {id: bank, name: Bank, lei: FICTIONBANK000000157}
      - id: saas
        name: SaaS
        lei: FICTIONSAAS000000253
      - {id: maint, name: Maint, euid: US123}
    entrustments:
      - id: bank-saas
        consignor: bank
        contractor: saas
        ict_service: S20
      - {id: saas-maint, consignor: saas, contractor: maint, ict_service: s14}
      - {id: bank-maint, consignor: bank, contractor: maint, ict_service: eba_TA:S14}
    """)


def test_validate_names_line_and_field_of_every_bad_code(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_FILE, encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 2 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    allowed = ", ".join(ICT_SERVICE_CODES)
    assert [e.split(": ", 3)[1:3] for e in errors] == [
        [f"{path}:6", "organizations[1].lei"],
        [f"{path}:7", "organizations[2].euid"],
        [f"{path}:12", "entrustments[0].ict_service"],
        [f"{path}:13", "entrustments[1].ict_service"],
        [f"{path}:14", "entrustments[2].ict_service"],
    ]
    assert "its check digits do not hold" in errors[0]
    assert "begins with the code of an EU or EEA state" in errors[1]
    assert all(f"write one of {allowed}" in e for e in errors[2:])
    assert "(write it in capitals: 'S14')" in errors[3]
    assert "(write the code alone, 'S14'" in errors[4]
    assert result.stderr.endswith("5 problems found; nothing was written.\n")


# ---------------------------------------------------------------------------------------------
# B_05.02

def rows_of(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == HEADER
    return rows[1:]


def test_complete_fixture_writes_every_code_and_warns_of_nothing(tmp_path):
    result = run("export", COMPLETE, "--format", "dora-b0502")
    assert result.exit_code == 0 and result.stderr == ""
    golden("dora-complete.b0502.csv", result.stdout)
    rows = rows_of(result.stdout)
    assert all(row[1] in ICT_SERVICE_CODES and row[2] and row[3] in ("LEI", "EUID") for row in rows)
    assert all((row[5] == row[6] == "") == (row[4] == "1") for row in rows)
    assert supply_chains(load_chain(COMPLETE)).missing == ()
    # --strict has nothing to refuse
    strict = tmp_path / "b.csv"
    assert run("export", COMPLETE, "--format", "dora-b0502", "--strict", "-o", strict).exit_code == 0
    assert strict.read_text(encoding="utf-8") == result.stdout


def test_complete_fixture_ranks_and_codes():
    register = supply_chains(load_chain(COMPLETE))
    bank = [(r.provider, r.provider_code, r.provider_code_type, r.rank, r.recipient, r.recipient_code)
            for r in register.rows if r.arrangement == "bank-saas"]
    assert bank == [
        ("saas", "FICTIONSAAS000000252", "LEI", 1, None, ""),
        ("cloud", "FICTIONCLOUD00000390", "LEI", 2, "saas", "FICTIONSAAS000000252"),
        ("maint", "DEFICTION.HRB000004", "EUID", 2, "saas", "FICTIONSAAS000000252"),  # by access, no LEI: EUID
        ("dc", "NLFICTION.000000005", "EUID", 3, "cloud", "FICTIONCLOUD00000390"),
    ]
    assert {r.ict_service for r in register.rows if r.arrangement == "bank-saas"} == {"S19"}
    # an organisation with both codes is identified by its LEI
    both = chain({"lei": FICTIONAL_LEIS[0], "euid": "DEFICTION.1"}, {"personal_data": True})
    both = chain_from_dict({**both.model_dump(mode="json", by_alias=True, exclude_none=True),
                            "entrustments": [{"id": "b-a", "consignor": "b", "contractor": "a"}]})
    (row,) = supply_chains(both).rows
    assert (row.provider_code, row.provider_code_type) == (FICTIONAL_LEIS[0], "LEI")


def test_incomplete_fixture_leaves_cells_empty_and_lists_what_is_missing():
    result = run("export", INCOMPLETE, "--format", "dora-b0502")
    assert result.exit_code == 0
    golden("dora-incomplete.b0502.csv", result.stdout)
    golden("dora-incomplete.b0502.stderr.txt", result.stderr)
    rows = rows_of(result.stdout)
    assert not any("OTHER" in row or "cloud" in row or "insurer-saas" in row[1:] for row in rows)
    register = supply_chains(load_chain(INCOMPLETE))
    assert register.to_csv() == result.stdout
    # every missing code: the CSV line (1 is the header), the columns, the field, its owner
    lei, service = ("B_05.02.0030", "B_05.02.0040"), ("B_05.02.0020",)
    recipient = ("B_05.02.0060", "B_05.02.0070")
    assert register.missing == (
        Missing(3, lei, "organizations[3].lei", "cloud"),
        Missing(5, recipient, "organizations[3].lei", "cloud"),
        Missing(6, service, "entrustments[1].ict_service", "insurer-saas"),
        Missing(7, service, "entrustments[1].ict_service", "insurer-saas"),
        Missing(7, lei, "organizations[3].lei", "cloud"),
        Missing(8, service, "entrustments[1].ict_service", "insurer-saas"),
        Missing(9, service, "entrustments[1].ict_service", "insurer-saas"),
        Missing(9, recipient, "organizations[3].lei", "cloud"),
    )
    for m in register.missing:
        row = rows[m.line - 2]
        assert all(row[HEADER.index(next(h for h in HEADER if h.startswith(c)))] == "" for c in m.columns)
    # and every empty code cell is listed
    listed = {(m.line, c) for m in register.missing for c in m.columns}
    for line, row in enumerate(rows, start=2):
        for i in (1, 2, 3) + ((5, 6) if row[4] != "1" else ()):
            assert (row[i] == "") == ((line, HEADER[i].split()[0]) in listed), (line, i)


def test_strict_refuses_an_incomplete_register_and_writes_nothing(tmp_path):
    out = tmp_path / "b.csv"
    result = run("export", INCOMPLETE, "--format", "dora-b0502", "--strict", "-o", out)
    assert result.exit_code == 2 and not out.exists() and result.stdout == ""
    golden("dora-incomplete.strict.stderr.txt", result.stderr.replace(str(INCOMPLETE), "fixtures/dora/incomplete.yaml"))
    assert result.stderr.endswith("2 problems found; nothing was written.\n")


def test_strict_is_for_the_dora_format_only():
    result = run("export", COMPLETE, "--format", "dot", "--strict")
    assert result.exit_code == 2 and "--strict applies to --format dora-b0502 only" in result.stderr


def test_procx_records_no_codes_and_ranks_procx_1_and_bs_2_for_every_consignor():
    procx = load_chain(PROCX)
    register = supply_chains(procx)
    by_arrangement: dict[str, dict] = {}
    for r in register.rows:
        by_arrangement.setdefault(r.arrangement, {})[r.provider] = (r.rank, r.recipient)
        assert r.cells()[1:4] == ("", "", "") and r.cells()[5:] == ("", "")
    # every arrangement is one of the 69 consignors' own entrustments to ProCX, and nothing else:
    # ProCX's own contract with BS (procx-bs) is ProCX's, not a financial entity's
    assert set(by_arrangement) == {e.id for e in procx.entrustments if e.contractor == "procx"}
    assert len(by_arrangement) == 69 and "procx-bs" not in by_arrangement
    assert all(v == {"procx": (1, None), "bs": (2, "procx")} for v in by_arrangement.values())
    assert {m.subject for m in register.missing if m.field.startswith("organizations")} == {"procx", "bs"}
    assert len({m.subject for m in register.missing if m.field.endswith("ict_service")}) == 69


def test_ranks_follow_the_chain():
    register = supply_chains(load_chain(ROOT / "fixtures" / "teaching" / "multi-level-untold" / "chain.yaml"))
    city = [(r.provider, r.rank, r.recipient) for r in register.rows if r.arrangement == "city-vendor"]
    assert city == [("vendor", 1, None), ("sub1", 2, "vendor"), ("sub2", 3, "sub1")]


def test_the_library_export_and_as_of_agree_with_the_cli():
    from datetime import date

    from entrustment_chain.graph.analysis.asof import chain_as_of
    from entrustment_chain.graph.reports.export import export

    procx = load_chain(PROCX)
    day = date(2014, 1, 1)
    assert export(procx, "dora-b0502") == supply_chains(procx).to_csv()
    then = supply_chains(procx, day)
    assert export(procx, "dora-b0502", as_of=day) == then.to_csv() == supply_chains(chain_as_of(procx, day)).to_csv()
    assert len(then.rows) < len(supply_chains(procx).rows)
    result = run("export", PROCX, "--format", "dora-b0502", "--as-of", "2014-01-01")
    assert result.stdout == then.to_csv()


def test_an_arrangement_id_that_reads_as_a_formula_is_neutralised():
    register = supply_chains(chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "a", "name": "A"}, {"id": "b", "name": "B", "lei": FICTIONAL_LEIS[0]}],
        "entrustments": [{"id": "=HYPERLINK(\"x\")", "consignor": "a", "contractor": "b", "ict_service": "S01"}],
    }))
    assert rows_of(register.to_csv()) == [["'=HYPERLINK(\"x\")", "S01", FICTIONAL_LEIS[0], "LEI", "1", "", ""]]


def supply(register, arrangement: str | None = None) -> dict[str, list[tuple]]:
    """The rows by arrangement: (provider, rank, recipient), in the order written."""
    out: dict[str, list[tuple]] = {}
    for r in register.rows:
        out.setdefault(r.arrangement, []).append((r.provider, r.rank, r.recipient))
    return out if arrangement is None else out.get(arrangement, [])


# ---------------------------------------------------------------------------------------------
# whose arrangements: the financial entity's, never a provider's own subcontracts

@pytest.mark.parametrize("path", [COMPLETE, INCOMPLETE])
def test_only_the_financial_entitys_own_arrangements_are_written(path):
    """B_05.02.0010 must be an arrangement of B_02.01, which holds the financial entity's contracts
    with its direct ICT providers; rank 1 is that direct provider. The SaaS provider's contract with
    its IaaS provider (saas-cloud) is a link of the entity's supply chain, not an arrangement."""
    c = load_chain(path)
    register = supply_chains(c)
    assert list(supply(register)) == ["bank-saas", "insurer-saas"]
    contractors = {e.contractor for e in c.entrustments}
    for r in register.rows:
        e = c.entrustments_by_id[r.arrangement]
        assert e.consignor in ("bank", "insurer") and e.consignor not in contractors
        assert (r.rank == 1) == (r.provider == e.contractor)
    result = run("export", path, "--format", "dora-b0502")
    assert {row[0] for row in rows_of(result.stdout)} == {"bank-saas", "insurer-saas"}


def test_entity_names_the_financial_entity():
    whole = run("export", COMPLETE, "--format", "dora-b0502")
    insurer = run("export", COMPLETE, "--format", "dora-b0502", "--entity", "insurer")
    assert insurer.exit_code == 0 and insurer.stderr == ""
    assert {row[0] for row in rows_of(insurer.stdout)} == {"insurer-saas"}
    assert insurer.stdout == supply_chains(load_chain(COMPLETE), entities=["insurer"]).to_csv()
    # several (a group's register): as many --entity as entities; both are the default here
    both = run("export", COMPLETE, "--format", "dora-b0502", "--entity", "insurer", "--entity", "bank")
    assert both.stdout == whole.stdout
    # an organisation that is itself a provider, named explicitly: its own contracts are its arrangements
    saas = supply(supply_chains(load_chain(COMPLETE), entities=["saas"]))
    assert saas["saas-cloud"] == [("cloud", 1, None), ("dc", 2, "cloud")]
    assert "bank-saas" not in saas


def test_entity_must_be_an_organisation_of_the_file(tmp_path):
    out = tmp_path / "b.csv"
    result = run("export", COMPLETE, "--format", "dora-b0502", "--entity", "nobody", "-o", out)
    assert result.exit_code == 2 and not out.exists() and result.stdout == ""
    assert "error: --entity: entity: 'nobody' is not an organization of this chain file" in result.stderr
    result = run("export", COMPLETE, "--format", "dot", "--entity", "bank")
    assert result.exit_code == 2 and "--entity applies to --format dora-b0502 only" in result.stderr


# ---------------------------------------------------------------------------------------------
# ranks: one above the organisation that gave the work or the access, wherever that is

def test_access_granted_deeper_in_the_chain_ranks_one_above_who_granted_it():
    """The maintenance firm is reached in two steps (bank → crm → maint), before the data centre
    that let it in (four steps), yet ranks one above the data centre: 5. It was once given rank 2
    (the data centre had no rank yet when the firm was ranked, and 1 was assumed)."""
    result = run("export", ACCESS_DEEPER, "--format", "dora-b0502")
    assert result.exit_code == 0 and result.stderr == ""
    golden("dora-access-deeper.b0502.csv", result.stdout)
    assert supply(supply_chains(load_chain(ACCESS_DEEPER))) == {"bank-saas": [
        ("saas", 1, None), ("paas", 2, "saas"), ("iaas", 3, "paas"), ("dc", 4, "iaas"), ("maint", 5, "dc")]}


def dora_chain(organizations, entrustments, access=(), systems=({"id": "crm", "name": "CRM", "operator": "saas"},)):
    return chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": o, "name": o.upper()} for o in organizations],
        "systems": list(systems),
        "entrustments": [dict(zip(("id", "consignor", "contractor"), (f"{a}-{b}", a, b)), **extra)
                         for a, b, extra in entrustments],
        "access": [dict(zip(("organization", "system", "under"), grant), kind="maintenance") for grant in access],
    })


def test_access_granted_by_an_organisation_ranked_later_waits_for_its_rank():
    # bank → saas (crm) → cloud → dc, and dc's maintenance firm with access to crm under dc-maint:
    # reached by access in two steps, ranked after dc (3): 4
    c = dora_chain(["bank", "saas", "cloud", "dc", "maint"],
                   [("bank", "saas", {"systems": ["crm"]}), ("saas", "cloud", {}), ("cloud", "dc", {}),
                    ("dc", "maint", {"personal_data": False})],
                   [("maint", "crm", "dc-maint")])
    assert supply(supply_chains(c), "bank-saas") == [
        ("saas", 1, None), ("cloud", 2, "saas"), ("dc", 3, "cloud"), ("maint", 4, "dc")]


def test_ranks_are_the_lowest_over_every_way_in_and_cycles_end():
    # cloud passes work back to saas and on to dc; dc also got work from saas directly: dc ranks
    # 2 (from saas), not 3 (from cloud), and saas stays 1
    c = dora_chain(["bank", "saas", "cloud", "dc"],
                   [("bank", "saas", {}), ("saas", "cloud", {}), ("cloud", "saas", {}), ("cloud", "dc", {}),
                    ("saas", "dc", {})])
    assert supply(supply_chains(c), "bank-saas") == [("saas", 1, None), ("cloud", 2, "saas"), ("dc", 2, "saas")]


def test_a_handler_without_a_rank_is_left_out_and_said(tmp_path):
    """The support firm reaches the bank's data by access granted under the vendor's contract, and
    passes work back to the vendor; nothing links either to the SaaS provider. Neither has a rank
    (a cycle that never reaches rank 1): both are left out, the export says why, --strict refuses."""
    result = run("export", UNRANKED, "--format", "dora-b0502")
    assert result.exit_code == 0
    golden("dora-unranked.b0502.csv", result.stdout)
    golden("dora-unranked.b0502.stderr.txt", result.stderr)
    register = supply_chains(load_chain(UNRANKED))
    assert supply(register) == {"bank-saas": [("saas", 1, None)]}
    assert [(x.arrangement, x.subject, x.refused) for x in register.left_out] == [
        ("bank-saas", "helper", True), ("bank-saas", "vendor", True)]
    out = tmp_path / "b.csv"
    strict = run("export", UNRANKED, "--format", "dora-b0502", "--strict", "-o", out)
    assert strict.exit_code == 2 and not out.exists() and strict.stdout == ""
    golden("dora-unranked.strict.stderr.txt", strict.stderr.replace(str(UNRANKED), "fixtures/dora/unranked.yaml"))


# ---------------------------------------------------------------------------------------------
# the financial entity is never a recipient, and whom it let in itself is its own provider

def test_a_handler_the_entity_let_in_itself_is_no_subcontractor():
    """The bank let the maintenance firm into the SaaS's system under its own maintenance contract:
    the firm is the bank's direct provider (of bank-maint), not a subcontractor of bank-saas, and
    the bank is never the recipient of sub-contracted ICT services."""
    register = supply_chains(load_chain(OWN_ACCESS))
    assert supply(register, "bank-saas") == [("saas", 1, None)]
    assert not any(r.recipient == "bank" or r.provider == "bank" for r in register.rows)


def test_whom_the_entity_let_in_without_an_arrangement_is_said():
    # the SaaS provider puts the bank's data in the bank's own archive system too, which a scanning
    # firm can reach without any contract (no grant `under`): the bank operates the system, so the
    # bank let it in itself; it is nobody's subcontractor, and no arrangement of the bank's has it
    # as provider: no row, and a note (a grant `under` an entrustment always goes to its contractor,
    # which then is that arrangement's provider at rank 1)
    c = dora_chain(["bank", "saas", "scan"],
                   [("bank", "saas", {"systems": ["crm", "archive"]})],
                   [("scan", "archive", None), ("saas", "crm", "bank-saas")],
                   systems=({"id": "crm", "name": "CRM", "operator": "saas"},
                            {"id": "archive", "name": "Archive", "operator": "bank"}))
    register = supply_chains(c)
    assert supply(register) == {"bank-saas": [("saas", 1, None)]}
    assert [(x.arrangement, x.subject, x.refused) for x in register.left_out] == [("bank-saas", "scan", False)]
    assert "bank let it in itself" in register.left_out[0].reason


# ---------------------------------------------------------------------------------------------
# DORA is not about personal data

def test_arrangements_marked_personal_data_false_are_ict_arrangements_all_the_same(tmp_path):
    """The bank's maintenance contract records its type of ICT services (S14) and is marked
    personal_data: false: it is an ICT arrangement all the same (it was once left out without a
    word, and --strict passed), and so is the maintenance firm's own ICT subcontract a link of its
    supply chain. The cleaning contract records no type of ICT services and is marked
    personal_data: false: nothing makes it ICT; it is left out, and the export says so."""
    result = run("export", NOT_PERSONAL, "--format", "dora-b0502")
    assert result.exit_code == 0
    golden("dora-not-personal.b0502.csv", result.stdout)
    golden("dora-not-personal.b0502.stderr.txt", result.stderr)
    register = supply_chains(load_chain(NOT_PERSONAL))
    assert supply(register) == {"bank-maint": [("maint", 1, None), ("submaint", 2, "maint")],
                                "bank-saas": [("saas", 1, None)]}
    assert {r.ict_service for r in register.rows if r.arrangement == "bank-maint"} == {"S14"}
    assert [(x.arrangement, x.subject, x.field, x.refused) for x in register.left_out] == [
        ("bank-clean", "bank-clean", "entrustments[3].ict_service", False)]
    assert "personal_data: false" in register.left_out[0].reason
    # nothing is missing: --strict writes the same rows
    out = tmp_path / "b.csv"
    assert run("export", NOT_PERSONAL, "--format", "dora-b0502", "--strict", "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == result.stdout


def test_the_entitys_own_maintenance_contract_is_its_arrangement():
    # own-access.yaml: bank-maint (S14, personal_data: false) is the arrangement under which the
    # bank let the maintenance firm in: the firm is its provider at rank 1, and nothing is left out
    result = run("export", OWN_ACCESS, "--format", "dora-b0502")
    assert result.exit_code == 0 and result.stderr == ""
    golden("dora-own-access.b0502.csv", result.stdout)
    register = supply_chains(load_chain(OWN_ACCESS))
    assert supply(register) == {"bank-maint": [("maint", 1, None)], "bank-saas": [("saas", 1, None)]}
    assert register.left_out == ()


def test_no_financial_entity_is_said_not_guessed():
    # everyone who entrusts work is also someone's contractor (a cycle): no default entity
    c = dora_chain(["a", "b"], [("a", "b", {"ict_service": "S01"}), ("b", "a", {"ict_service": "S01"})], systems=())
    register = supply_chains(c)
    assert register.rows == () and register.refused
    (x,) = register.left_out
    assert "--entity" in x.reason and x.refused
    assert supply(supply_chains(c, entities=["a"])) == {"a-b": [("b", 1, None)]}
    # a named entity with no entrustment of its own: said, not refused
    lone = supply_chains(c, entities=["a", "b"])
    assert list(supply(lone)) == ["a-b", "b-a"] and lone.left_out == ()
    c2 = dora_chain(["a", "b", "z"], [("a", "b", {"ict_service": "S01"})], systems=())
    (x,) = supply_chains(c2, entities=["z"]).left_out
    assert x.subject == "z" and not x.refused and "no entrustment of its own" in x.reason


def test_fields_are_named_by_their_place_in_the_file_also_as_of_a_day():
    from datetime import date

    c = chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "bank", "name": "Bank"}, {"id": "saas", "name": "SaaS", "lei": FICTIONAL_LEIS[2]},
                          {"id": "later", "name": "Later", "lei": FICTIONAL_LEIS[3]}],
        "entrustments": [{"id": "bank-later", "consignor": "bank", "contractor": "later", "ict_service": "S01",
                          "period": "2030-01～"},
                         {"id": "bank-saas", "consignor": "bank", "contractor": "saas"}],
    })
    (missing,) = supply_chains(c, date(2024, 1, 1)).missing
    assert missing.field == "entrustments[1].ict_service"  # not [0]: bank-later is left out that day
