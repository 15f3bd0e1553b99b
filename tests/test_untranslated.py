"""The untranslated-English check the Japanese golden tests rely on (tests/japanese.py)."""
from japanese import untranslated


def test_untranslated_finds_english_and_spares_code_ids_and_names():
    from entrustment_chain.graph.io.loader import chain_from_dict

    chain = chain_from_dict({"schema": "entrustment-chain/v1", "organizations": [
        {"id": "sakura", "name": "株式会社さくら通販", "kind": "private"},
        {"id": "ntt", "name": "NTTビジネス", "kind": "private"}],
        "systems": [], "entrustments": [], "access": []})
    text = ("# 結果\n\n- 株式会社さくら通販（sakura）と NTTビジネス（ntt）: `undisclosed_subcontracting` "
            "https://laws.e-gov.go.jp/x backend networkx\n\n```mermaid\nflowchart LR\n  n0 -->|\"maintenance access\"| n1\n```\n")
    assert untranslated(text, chain) == ["access", "backend", "maintenance"]
    assert untranslated("<html><style>body{color:red}</style><p>取扱者 handler <code>rule_id</code></p></html>") \
        == ["handler"]
