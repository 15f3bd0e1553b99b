import pytest

from entrustment_chain.graph.model.wareki import PartialDate, WarekiError, parse_date, parse_period


@pytest.mark.parametrize("text, iso", [
    ("平成27年3月", "2015-03"),
    ("平成 27 年 3 月", "2015-03"),
    ("令和元年5月", "2019-05"),
    ("令和元年", "2019"),
    ("平成元年1月8日", "1989-01-08"),
    ("昭和64年1月7日", "1989-01-07"),
    ("令和５年３月", "2023-03"),
    ("２０１５年３月", "2015-03"),
    ("2015-03", "2015-03"),
    ("2015-03-01", "2015-03-01"),
    ("2015", "2015"),
])
def test_dates(text, iso):
    assert parse_date(text).iso() == iso


@pytest.mark.parametrize("text", [
    "平成32年", "平成31年5月", "令和元年4月", "令和0年", "平成27年13月", "平成27年2月30日",
    "昭和64年1月8日", "大正3年", "2015-13", "", "同年5月", "令和年",
])
def test_impossible_dates(text):
    with pytest.raises(WarekiError):
        parse_date(text)


@pytest.mark.parametrize("text, iso, wareki", [
    ("平成27年3月～平成29年3月", "2015-03/2017-03", "平成 27 年 3 月～平成 29 年 3 月"),
    ("平成 27 年 5 月～同年 7 月", "2015-05/2015-07", "平成 27 年 5 月～同年 7 月"),
    ("平成27年3月〜同年10月", "2015-03/2015-10", "平成 27 年 3 月～同年 10 月"),
    ("平成28年~令和元年", "2016/2019", "平成 28 年～令和元年"),
    ("平成30年10月 - 平成31年2月", "2018-10/2019-02", "平成 30 年 10 月～平成 31 年 2 月"),
    ("2015-03/2017-03", "2015-03/2017-03", "平成 27 年 3 月～平成 29 年 3 月"),
    ("令和2年10月～", "2020-10/", "令和 2 年 10 月～"),
])
def test_periods(text, iso, wareki):
    period = parse_period(text)
    assert period.iso() == iso
    assert period.wareki() == wareki
    assert period.text == text


def test_period_mapping_and_order():
    assert parse_period({"start": "2015-03", "end": "2017-03"}).iso() == "2015-03/2017-03"
    with pytest.raises(WarekiError, match="ends before"):
        parse_period("平成29年3月～平成27年3月")


def test_era_boundary_wareki():
    assert PartialDate(2019, 4).wareki() == "平成 31 年 4 月"
    assert PartialDate(2019, 5).wareki() == "令和元年 5 月"


@pytest.mark.parametrize("text, iso", [
    ("R3.4.1", "2021-04-01"), ("H27.3", "2015-03"), ("h27.3", "2015-03"), ("R元.5", "2019-05"),
    ("S64.1.7", "1989-01-07"), ("H27/3/1", "2015-03-01"), ("Ｒ３．４．１".translate(str.maketrans("Ｒ", "R")), "2021-04-01"),
])
def test_abbreviated_eras_of_office_forms(text, iso):
    assert parse_date(text).iso() == iso


@pytest.mark.parametrize("text", ["H31.5", "R0.1", "H32", "R3.13.1", "R3.2.30", "S65", "T3", "M45.1"])
def test_impossible_abbreviated_dates(text):
    with pytest.raises(WarekiError):
        parse_date(text)


@pytest.mark.parametrize("text, iso, wareki", [
    ("令和3年度", "2021-04/2022-03", "令和 3 年 4 月～令和 4 年 3 月"),
    ("2021年度", "2021-04/2022-03", "令和 3 年 4 月～令和 4 年 3 月"),
    ("R3年度", "2021-04/2022-03", "令和 3 年 4 月～令和 4 年 3 月"),
    ("令和元年度", "2019-04/2020-03", "平成 31 年 4 月～令和 2 年 3 月"),  # begins in 平成's April
    ("平成31年度", "2019-04/2020-03", "平成 31 年 4 月～令和 2 年 3 月"),
    ("令和2年度～令和3年度", "2020-04/2022-03", "令和 2 年 4 月～令和 4 年 3 月"),
    ("平成27年度～同年12月", "2015-04/2015-12", "平成 27 年 4 月～同年 12 月"),
])
def test_fiscal_years_run_april_to_march(text, iso, wareki):
    period = parse_period(text)
    assert (period.iso(), period.wareki()) == (iso, wareki)


@pytest.mark.parametrize("text", ["平成25年～現在", "平成25年～継続中", "平成25年～", "平成25年 ～ 現在まで",
                                  "H25～ongoing"])
def test_open_ends(text):
    period = parse_period(text)
    assert period.start.iso() == "2013" and period.end is None
    assert period.wareki() == "平成 25 年～"


@pytest.mark.parametrize("text", ["令和0年度", "平成32年度", "現在～平成25年", "令和3年度～令和2年度"])
def test_impossible_fiscal_years_and_periods(text):
    with pytest.raises(WarekiError):
        parse_period(text)


def test_a_chain_file_takes_dates_as_people_write_them():
    """The period of an entrustment and of an access grant, in the forms of office registers."""
    from entrustment_chain.graph.io.loader import chain_from_dict

    chain = chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        "systems": [{"id": "s", "name": "S", "operator": "b"}],
        "entrustments": [{"id": "a-b", "consignor": "a", "contractor": "b", "period": "R3年度～継続中"}],
        "access": [{"organization": "b", "system": "s", "period": "H27.3～R5.10"}],
    })
    assert chain.entrustments[0].parsed_period.iso() == "2021-04/"
    assert chain.access[0].parsed_period.iso() == "2015-03/2023-10"


@pytest.mark.parametrize("text", ["0000-01-01", "0001-01-01", "1899-12-31", "0000", "0999年", "9999年度"])
def test_years_out_of_range_are_refused_naming_the_value(text):
    with pytest.raises(WarekiError, match="out of range") as caught:
        from entrustment_chain.graph.model.wareki import fiscal_year

        fiscal_year(text) or parse_date(text).last_day()
    assert repr(text) in str(caught.value)


def test_the_last_day_there_is_stays_a_date():
    assert parse_date("9999-12-31").last_day().isoformat() == "9999-12-31"  # records write it for "no end"
    assert parse_period("2013-12～9999-12-31").iso() == "2013-12/9999-12-31"
    assert parse_date("1900-01-01").first_day().isoformat() == "1900-01-01"


def test_the_cli_refuses_a_year_out_of_range_with_exit_2():
    from click.testing import CliRunner

    from entrustment_chain.cli.main import main
    from conftest import PROCX

    result = CliRunner().invoke(main, ["analyze", str(PROCX), "--as-of", "0000-01-01"])
    assert result.exit_code == 2, result.output
    assert "year 0 in '0000-01-01' is out of range" in result.output and "Traceback" not in result.output
