"""Reading and writing ``---``-fenced YAML front matter."""

import yaml


class FrontMatterError(ValueError):
    """A file whose front matter cannot be read."""


def parse(text: str) -> tuple[dict, str]:
    """Split a file into its front matter and its Markdown body."""
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        raise FrontMatterError("the file must start with a '---' line and YAML front matter")
    try:
        _, head, body = text.split("---", 2)
    except ValueError:
        raise FrontMatterError("the front matter has no closing '---' line") from None
    try:
        meta = yaml.safe_load(head) or {}
    except yaml.YAMLError as error:
        raise FrontMatterError(f"the front matter is not valid YAML: {error}") from None
    if not isinstance(meta, dict):
        raise FrontMatterError("the front matter must be a mapping of keys to values")
    return meta, body.lstrip("\n")


def dump(meta: dict, body: str) -> str:
    """A file with ``meta`` as front matter followed by ``body``."""
    head = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{head}---\n{body.rstrip()}\n"
