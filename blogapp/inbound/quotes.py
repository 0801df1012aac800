"""The new text of a reply, without what it quotes: plain text as mail clients write it.

A reply is cut at the first line that starts the quoted history or the signature, and
quoted lines ("> ...") are dropped wherever they are (an answer written between quoted
lines keeps its own lines). What starts the history:

- an attribution line, "On Mon, 3 Feb 2025 at 10:04, Jane <jane@example.com> wrote:",
  also wrapped over two lines (Gmail wraps long ones) and in the common languages
  ("Le … a écrit :", "Am … schrieb …:", "El … escribió:", …);
- Outlook's "-----Original Message-----", its line of underscores, and its header block
  ("From: …" followed within a few lines by "Sent: …" or "Date: …", also localized);
- a signature: the "-- " line (RFC 3676) and "Sent from my iPhone" and its kin.
"""

import re

_OPENERS = r"(?:On|Le|Am|El|Il|Op|Em|Den|På|W dniu|Dne)"
_VERBS = (
    r"(?:wrote|writes|a écrit|schrieb|escribió|ha scritto|schreef|escreveu|skrev|"
    r"kirjoitti|napisał\(a\)|napisał|napsal\(a\)|napsal)"
)
# The verb ends the line ("… wrote:") or, in German, comes before the name ("Am … schrieb
# Jane Doe <j@x.de>:").
_ATTRIBUTION = re.compile(
    rf"^\s*{_OPENERS}\b.{{0,300}}\b{_VERBS}(?!\w)(?:\s*|\s.{{0,120}}):\s*$", re.IGNORECASE
)
_OPENING = re.compile(rf"^\s*{_OPENERS}\s", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Message d'origine|Ursprüngliche Nachricht|"
    r"Mensaje original|Messaggio originale|Oorspronkelijk bericht|Forwarded message)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{20,}\s*$")
_HEADER_FROM = re.compile(r"^\s*\**(?:From|De|Von|Van|Da|Från|Fra)\s*:\**\s", re.IGNORECASE)
_HEADER_SENT = re.compile(
    r"^\s*\**(?:Sent|Date|Envoyé|Gesendet|Enviado|Verzonden|Inviato|Skickat|Sendt|Datum)\s*:",
    re.IGNORECASE,
)
_SENT_FROM = re.compile(
    r"^\s*(?:Sent from (?:my |Mail for |Outlook|Yahoo|Samsung|AOL)|Get Outlook for |"
    r"Envoyé de mon |Von meinem .{1,40} gesendet|Enviado desde mi |Inviato da )",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^-- ?$")
# How far below "From:" Outlook's "Sent:" may be (To: and Cc: can wrap).
_HEADER_REACH = 6


def _starts_history(lines: list[str], i: int) -> bool:
    line = lines[i]
    if _ATTRIBUTION.match(line) or _ORIGINAL.match(line) or _UNDERSCORES.match(line):
        return True
    following = lines[i + 1] if i + 1 < len(lines) else ""
    if _ATTRIBUTION.match(f"{line.rstrip()} {following.strip()}") and _OPENING.match(line):
        return True
    if _HEADER_FROM.match(line):
        return any(_HEADER_SENT.match(x) for x in lines[i + 1 : i + 1 + _HEADER_REACH])
    return False


def _starts_signature(line: str) -> bool:
    return bool(_SIGNATURE.match(line) or _SENT_FROM.match(line))


def unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676): a line ending in a
    space goes on in the next; the signature line "-- " stays."""
    out: list[str] = []
    joining = False
    for line in text.split("\n"):
        if joining:
            out[-1] += line
        else:
            out.append(line)
        joining = line.endswith(" ") and line != "-- " and not line.startswith(">")
        if joining and delsp:
            out[-1] = out[-1][:-1]
    return "\n".join(out)


def new_text(text: str) -> str:
    """``text`` without its quoted history, quoted lines and signature, trimmed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _starts_history(lines, i) or _starts_signature(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return _tidy("\n".join(kept))


def _tidy(text: str) -> str:
    # Blank runs left where quoted lines were taken out become one paragraph break.
    return re.sub(r"\n{3,}", "\n\n", text).strip()
