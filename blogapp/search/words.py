"""Words: how text splits into them, which are too common to search for, accents, spelling."""

import re
import unicodedata

# PostgreSQL's English stop words; Whoosh uses the same list, so both backends
# ignore the same words.
STOPWORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now""".split()
)


def pieces(chunk: str) -> tuple[str, ...]:
    """The words inside a chunk of text: "e-mail" is ("e", "mail")."""
    return tuple(re.findall(r"\w+", chunk))


def fold(text: str) -> str:
    """Accents off: "Café" is "Cafe"."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def spelling_words(text: str) -> set[str]:
    """The distinct words of ``text`` worth suggesting: folded, lowercase, not stop words."""
    return {
        w
        for w in pieces(fold(text).lower())
        if 2 < len(w) <= 30 and w not in STOPWORDS and not w.isdigit()
    }


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once)."""
    previous, current = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, current = previous, current, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
    return current[len(b)]
