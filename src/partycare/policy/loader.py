"""Loading policy packs: from YAML text, a file, a shipped preset (by slug), or stored activation content.

Every way in ends in :func:`validate_pack`, which either returns a fully valid :class:`PolicyPack` or raises
:class:`PackInvalid` listing every problem with its path — never a half-valid pack.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from partycare.policy.errors import Issue, PackInvalid, issues_from_validation_error
from partycare.policy.schema import PolicyPack, PolicyPackInvalid

PRESET_PACKAGE = "partycare.policy.presets"


class _PackYamlLoader(yaml.SafeLoader):
    """Safe YAML with two changes that make mistakes visible instead of silent:

    * dates stay text, so ``2020-02-30`` is reported by the schema at its path rather than crashing the parser;
    * a key written twice in one mapping is an error (plain YAML keeps the last one without a word).
    """


_PackYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping_without_duplicates(loader: _PackYamlLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"键 '{key}' 重复 / key '{key}' appears twice",
                key_node.start_mark,
            )
        seen[key] = True
    return loader.construct_mapping(node, deep=deep)


_PackYamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def parse_yaml(text: str, origin: str = "") -> Any:
    try:
        return yaml.load(text, Loader=_PackYamlLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        where_en = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PackInvalid(
            [Issue("", f"YAML 语法错误 {where}：{problem}", f"YAML syntax error at {where_en}: {problem}")], origin
        ) from None


def validate_pack(data: Any, origin: str = "") -> PolicyPack:
    """Validate parsed data (a mapping) into a PolicyPack, or raise PackInvalid with every problem."""
    if not isinstance(data, dict):
        raise PackInvalid(
            [Issue("", "文件内容应为键值映射", "the file must contain a mapping at the top level")], origin
        )
    try:
        return PolicyPack.model_validate(data)
    except ValidationError as exc:
        raise PackInvalid(issues_from_validation_error(exc, data, PolicyPack), origin) from None
    except PolicyPackInvalid as exc:
        raise PackInvalid([Issue(p, zh, en) for p, zh, en in exc.problems], origin) from None


def load_text(text: str, origin: str = "") -> PolicyPack:
    return validate_pack(parse_yaml(text, origin), origin)


def load_file(path: str | Path) -> PolicyPack:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackInvalid(
            [Issue("", f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}")], str(path)
        ) from None
    return load_text(text, str(path))


def load_content(content: dict[str, Any], origin: str = "") -> PolicyPack:
    """Re-validate content stored on an activation (JSON form of a pack)."""
    return validate_pack(content, origin)


# ----------------------------------------------------------------------------------------------------------------
# Presets shipped inside the package
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PresetInfo:
    slug: str
    file_name: str


def preset_files() -> list[PresetInfo]:
    root = resources.files(PRESET_PACKAGE)
    names = sorted(p.name for p in root.iterdir() if p.name.endswith((".yaml", ".yml")))
    return [PresetInfo(slug=n.rsplit(".", 1)[0], file_name=n) for n in names]


def preset_slugs() -> list[str]:
    return [p.slug for p in preset_files()]


@functools.cache
def load_preset(slug: str) -> PolicyPack:
    """A shipped preset by slug (file name without .yaml). Cached: packs are immutable."""
    for info in preset_files():
        if info.slug == slug:
            text = resources.files(PRESET_PACKAGE).joinpath(info.file_name).read_text(encoding="utf-8")
            pack = load_text(text, f"preset:{slug}")
            if pack.slug != slug:
                raise PackInvalid(
                    [
                        Issue(
                            "slug",
                            f"预置文件名 {slug} 与 slug '{pack.slug}' 不一致",
                            f"preset file {slug} declares slug '{pack.slug}'",
                        )
                    ],
                    f"preset:{slug}",
                )
            return pack
    raise PackInvalid(
        [Issue("", f"没有名为 '{slug}' 的预置政策包", f"no preset named '{slug}' (have: {', '.join(preset_slugs())})")],
        slug,
    )


def load_any(ref: str) -> PolicyPack:
    """A preset slug, or a path to a YAML file."""
    if ref in preset_slugs():
        return load_preset(ref)
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_file(path)
    return load_preset(ref)  # raises a clear "no preset named" error
