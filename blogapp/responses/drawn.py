"""The queue items' inline actions, drawn once a page and filled in for each item.

Each item carries six forms (about 1.7 ms of template for a page of 25). All that differs
between items is the comment's id, its author's name and the assignee's menu, so
``_item_actions.html`` is drawn once per variant with placeholders and cut at them; an item
is then the pieces joined with its own values. The placeholders stand for every value that
comes from data (the hidden fields too), so none can be mistaken for one.
"""

from collections.abc import Callable
from types import SimpleNamespace

from flask import render_template
from markupsafe import Markup, escape

_ID, _NAME, _HIDDEN, _MENU = "\x00id\x00", "\x00name\x00", "\x00hidden\x00", "\x00menu\x00"
_HOLES = (_ID, _NAME, _HIDDEN, _MENU)


class ItemActions:
    """``item_actions(item)``: the inline actions of one queue item, as the template draws
    them with nothing kept from a failed form."""

    def __init__(
        self,
        *,
        user_id: int,
        moderator: bool,
        hidden: Markup,
        act: Callable[[int | str, str], str],
        similar: Callable[[int | str], str],
        assign_options: Callable[[int], Markup],
        reason_options: Markup,
        saved_options: Markup | None = None,
    ):
        self._user_id = user_id
        self._moderator = moderator
        self._hidden = hidden
        self._act, self._similar = act, similar
        self._assign_options = assign_options
        self._reason_options = reason_options
        self._saved_options = saved_options or Markup("")
        self._drawn: dict[bool, list[str | int]] = {}

    def _pieces(self, mine: bool) -> list[str | int]:
        """The template drawn with placeholders: literal text, and the index of the hole
        between each two pieces."""
        item = SimpleNamespace(
            comment=SimpleNamespace(id=Markup(_ID), author_name=Markup(_NAME)),
            assignee=SimpleNamespace(id=self._user_id if mine else None),
        )
        html = render_template(
            "responses/_item_actions.html",
            item=item,
            kept={},
            moderator=self._moderator,
            hidden=Markup(_HIDDEN),
            reason_options=self._reason_options,
            saved_options=self._saved_options,
            act=self._act,
            similar=self._similar,
            assign_options=lambda _selected: Markup(_MENU),
        )
        pieces: list[str | int] = []
        rest = html
        while True:
            found = [(rest.find(h), n) for n, h in enumerate(_HOLES) if h in rest]
            if not found:
                pieces.append(rest)
                return pieces
            at, n = min(found)
            pieces += [rest[:at], n]
            rest = rest[at + len(_HOLES[n]) :]

    def __call__(self, item) -> Markup:
        mine = item.assignee.id == self._user_id
        key = mine and not self._moderator
        if key not in self._drawn:
            self._drawn[key] = self._pieces(mine)
        comment = item.comment
        values = (
            str(comment.id),
            str(escape(comment.author_name)),
            str(self._hidden),
            str(self._assign_options(item.assignee.id)) if self._moderator else "",
        )
        return Markup("".join(p if isinstance(p, str) else values[p] for p in self._drawn[key]))
