"""What a Japanese output must not hold: English left untranslated, outside code.

``untranslated(text, chain)`` returns the ASCII words of ``text`` that a Japanese reader would
meet as English: every word outside code spans (`…`), fenced code, URLs, HTML tags, scripts and
styles, less the words that are the chain's own (its ids, keys and the ASCII parts of its names:
NTT, ProCX) and the proper nouns every report may carry (networkx, Neo4j, JSON, SHA-256 …).
Mermaid labels inside a ```mermaid fence are read: people see them drawn.

The golden tests of the Japanese outputs assert that it returns nothing.
"""
from __future__ import annotations

import html
import re
from typing import Iterable

# Proper nouns and symbols a Japanese report may write as they are.
ALLOWED = frozenset({
    "networkx", "Neo4j", "JSON", "CSV", "SARIF", "JUnit", "SHA-256", "Graphviz", "e-Gov", "PPC", "EEA", "EU",
    "UK", "ISO", "LEI", "EUID", "DORA", "ID", "IT", "entrustment-chain", "Mermaid", "HTML", "PDF", "URL",
    "yEd", "Gephi",
})
# A word: ASCII letters, then letters, digits and the punctuation ids are made of.
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.@:+\-]*[A-Za-z0-9]|[A-Za-z]")
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
_CODE_SPAN = re.compile(r"(?<!\\)(`+)(.+?)\1", re.S)  # not from an escaped backtick (\`)
_URL = re.compile(r"https?://[^\s)）\]」>\"']+")
_TAGS = re.compile(r"<(script|style|code)\b.*?</\1>|<[^>]+>", re.S | re.I)
_MERMAID_LABEL = re.compile(r'"([^"]*)"')
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark's backslash escapes of ASCII punctuation


def chain_words(chain) -> set[str]:
    """The words that are the chain's own: ids, grant keys, and the ASCII words of its names
    and texts (a company called NTTビジネスソリューションズ, a system called CRM)."""
    words: set[str] = set()
    texts: list[str] = []
    for org in chain.organizations:
        words.add(org.id)
        texts.append(org.name)
    for system in chain.systems:
        words.add(system.id)
        texts.append(system.name)
    for e in chain.entrustments:
        words.add(e.id)
        texts.append(e.work or "")
    words.update(chain.grant_keys)
    texts.append(chain.title or "")
    for text in texts:
        words.update(_WORD.findall(text))
    # ids split the way the word pattern splits them (a-b@c is one word; keep its parts too)
    words.update(part for w in list(words) for part in re.split(r"[@:]", w) if part)
    return words


def visible_text(text: str) -> str:
    """What a reader sees of markdown or HTML, code left out (Mermaid labels kept)."""
    if "<html" in text[:2000].lower() or text.lstrip().startswith("<!DOCTYPE"):
        text = html.unescape(_TAGS.sub(" ", text))
        return _URL.sub(" ", text)

    def fence(m: re.Match) -> str:
        return " ".join(_MERMAID_LABEL.findall(m.group(2))) if m.group(1) == "mermaid" else " "

    text = _FENCE.sub(fence, text)
    text = _CODE_SPAN.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _MD_ESCAPE.sub(r"\1", text)  # test\_routes is test_routes on the screen
    return html.unescape(text)


def untranslated(text: str, chain=None, allowed: Iterable[str] = ()) -> list[str]:
    """The English words of a Japanese output (sorted, each once); empty when there are none.
    ``allowed``: further words the output may hold as they are (the input file's path …)."""
    own = chain_words(chain) if chain is not None else set()
    ok = ALLOWED | own | {w for a in allowed for w in [a, *_WORD.findall(a)]}
    found = set()
    for word in _WORD.findall(visible_text(text)):
        if word in ok or word.upper() == word and len(word) <= 1:
            continue
        if re.fullmatch(r"[A-Za-z]?\d[\w.:+\-]*|[0-9a-f]{16,}", word):  # numbers, versions, times, digests
            continue
        found.add(word)
    return sorted(found)
