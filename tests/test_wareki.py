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
