"""What keeps large chains affordable: the generator's shape, shared model internals, paused
collection. The figures themselves are measured by bench/run.py, not here."""
import gc
import io
import json
import math

import pytest

from entrustment_chain.graph.analysis.engine import analyze
from entrustment_chain.graph.gcpause import gc_paused
from entrustment_chain.graph.io.generate import generate, stream_json
from entrustment_chain.graph.io.loader import chain_from_dict
from entrustment_chain.graph.model.chain import Clauses, Entrustment


def test_models_with_the_same_fields_share_one_fields_set():
    a = Clauses.model_validate({"transfer_safety": True})
    b = Clauses.model_validate({"transfer_safety": False})
    assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__
    assert a.model_dump(exclude_unset=True) == {"transfer_safety": True}
    changed = a.model_copy(update={"storage_safety": True})
    assert a.model_fields_set == {"transfer_safety"}  # the copy did not change the shared set
    assert changed.model_fields_set == {"transfer_safety", "storage_safety"}
    full = Entrustment.model_validate({"id": "e", "consignor": "a", "contractor": "b", "work": "x"})
    assert full.model_dump(exclude_unset=True) == {"id": "e", "consignor": "a", "contractor": "b", "work": "x"}


def test_gc_paused_nests_and_restores():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller who disabled it keeps it disabled
    finally:
        gc.enable()
    with pytest.raises(ZeroDivisionError):
        with gc_paused():
            1 / 0
    assert gc.isenabled()


def test_generator_is_deterministic_and_streams_the_same_file():
    a, b = generate(60, seed=3), generate(60, seed=3)
    assert a == b
    assert generate(60, seed=4) != a
    out = io.StringIO()
    count = stream_json(60, 3, out)
    streamed = json.loads(out.getvalue())
    assert streamed == a
    assert count == len(a["entrustments"])


def test_generator_shape():
    data = generate(2000, seed=1)
    chain = chain_from_dict(data)
    per_consignor = len(chain.entrustments) / 2000
    assert 8 <= per_consignor <= 11
    kinds = {o.kind.value for o in chain.organizations}
    assert kinds == {"private", "local_government", "public_agency"}
    from_consignors = [e for e in chain.entrustments if e.consignor.startswith("c")]
    told = [e.informed_subcontractors for e in from_consignors]
    assert any(t is None for t in told) and any(t == [] for t in told) and any(t for t in told)
    approved = [e.approved_subcontractors for e in from_consignors]
    assert any(a for a in approved) and any(a == [] for a in approved)
    nulls = sum(e.clauses.transfer_safety is None for e in from_consignors) / len(from_consignors)
    assert 0.05 < nulls < 0.15
    assert any(e.personal_data is False for e in chain.entrustments)
    assert chain.access and all(g.kind.value == "maintenance" for g in chain.access)
    analysis = analyze(chain)
    # re-entrustment never goes deeper than the contractor plus five levels
    assert max(len(f.path) for f in analysis.findings if f.path) <= 7
    for rule in ("undisclosed_subcontracting", "unapproved_subcontracting", "could_not_supervise",
                 "misclassified_subcontract", "weak_supervision"):
        assert analysis.summary["by_rule"][rule] > 0, rule


def test_generator_grows_linearly():
    """Entrustments and access grants grow linearly with the consignors, and no consignor
    reaches more handlers than its contractors' subcontracting trees hold (at most three
    subcontractors each, five levels deep): there is no term that grows with the size of the
    file. Findings per entrustment rise at small sizes, where the subcontractor pool is small
    and shared, towards that bound; bench/run.py measures the exponent at scale."""
    figures = []
    for n in (1000, 4000):
        chain = chain_from_dict(generate(n, seed=2))
        analysis = analyze(chain)
        figures.append((n, len(chain.entrustments), len(chain.access), len(analysis.findings)))
        contractors = {}
        for e in chain.entrustments:
            contractors.setdefault(e.consignor, set()).add(e.contractor)
        for f in analysis.by_rule("could_not_supervise"):
            assert len(f.handlers) <= len(contractors[f.consignor]) * (1 + 3 * 5) + 3
        assert len(analysis.findings) / len(chain.entrustments) < 8
    (n1, e1, a1, _), (n2, e2, a2, _) = figures
    assert math.log(e2 / e1) / math.log(n2 / n1) == pytest.approx(1.0, abs=0.05)
    assert math.log(a2 / a1) / math.log(n2 / n1) == pytest.approx(1.0, abs=0.1)
