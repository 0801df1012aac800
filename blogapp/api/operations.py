"""How an API operation is declared: once, beside its code, with who may call it and the
shapes it reads and answers. The blueprint, the checks and the OpenAPI document are all
built from these declarations (api/__init__.py, api/openapi.py)."""

import enum
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel

from blogapp.models import Scope


class Who(enum.StrEnum):
    """The people an operation is for (their token must also carry its scope)."""

    ANYONE = "anyone"  # no token needed
    ACCOUNT = "account"  # any person with an account
    EMPLOYEE = "employee"
    MODERATOR = "moderator"

    def admits(self, user) -> bool:
        if self is Who.ANYONE:
            return True
        if user is None:
            return False
        if self is Who.EMPLOYEE:
            return user.is_employee
        if self is Who.MODERATOR:
            return user.is_moderator
        return True


@dataclass(frozen=True)
class Operation:
    name: str  # the operationId
    method: str
    rule: str  # a Flask rule: /posts/<slug>
    summary: str
    view: Callable
    tag: str
    who: Who = Who.ANYONE
    scope: Scope | None = None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    # Extra refusals the operation itself may answer, besides every operation's.
    problems: tuple[int, ...] = field(default=())

    @property
    def public(self) -> bool:
        """Readable by anyone, and so by the origins API_CORS_ORIGINS names."""
        return self.who is Who.ANYONE and self.method == "GET"

    @property
    def path(self) -> str:
        """The rule as OpenAPI writes a path: /posts/{slug}."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)

    def path_params(self) -> list[tuple[str, str]]:
        """(name, converter) of each variable part of the rule."""
        return [
            (conv or "string", name) for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", self.rule)
        ]


def operation(
    method: str,
    rule: str,
    *,
    tag: str,
    who: Who = Who.ANYONE,
    scope: Scope | None = None,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    problems: tuple[int, ...] = (),
):
    """Declare the decorated function an API operation (its docstring's first line is the
    summary). Nothing is registered here: api.register(app) collects them."""

    def declare(view: Callable) -> Callable:
        if (who is Who.ANYONE) != (scope is None):
            raise ValueError(f"{view.__name__}: a token's scope is needed exactly when a person is")
        view.api_operation = Operation(
            name=view.__name__,
            method=method,
            rule=rule,
            summary=(view.__doc__ or view.__name__).strip().splitlines()[0],
            view=view,
            tag=tag,
            who=who,
            scope=scope,
            query=query,
            body=body,
            response=response,
            status=status,
            problems=problems,
        )
        return view

    return declare


def operations_in(*modules) -> list[Operation]:
    """The operations the modules declare, in the order they are written."""
    found = []
    for module in modules:
        for value in vars(module).values():
            if not inspect.isfunction(value) or value.__module__ != module.__name__:
                continue
            op = getattr(value, "api_operation", None)
            if isinstance(op, Operation) and op not in found:
                found.append(op)
    return found
