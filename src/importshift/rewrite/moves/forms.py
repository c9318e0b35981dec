"""The per-form rewrites: ``from M import X``, ``import M``, and dotted strings."""

from __future__ import annotations

import re

import libcst as cst

from importshift.core import dotted
from importshift.rewrite import nodes, traps
from importshift.rewrite.moves.layout import close, new_import_line
from importshift.rewrite.moves.uses import Decisions, Uses

_TOKEN = re.compile(r"[A-Za-z_][\w.]*")


class Analyzer(Uses):
    """Reads the tree and decides every change; ``Applier`` makes them."""

    def run(self) -> Decisions:
        for node in self.found.imports:
            if id(node) in self.found.fallbacks:
                continue  # the fallback half of a two-version import: kept on purpose
            if isinstance(node, cst.ImportFrom):
                self._import_from(node)
            else:
                self._import(node)
        for string in self.found.strings:
            self._string(string)
        if self.d.edits:
            for comment in self.found.type_comments:
                self._type_comment(comment)
        return self.d

    def _self_import_dropped(self, name: str, local: str, from_form: bool) -> str:
        """The rule whose self-import of ``name`` this import is, when it can go: the module
        now defines ``local`` itself (``from``), or nothing reads it (``import M`` in M)."""
        res = traps.self_import(self.rules, name, self.module)
        if res is None:
            return ""
        if from_form:
            droppable = local == dotted.leaf(res.new) and local in traps.top_level_bound(
                self.source()
            )
        else:
            droppable = res.new == self.module and not traps.reads(self.source(), local)
        return res.move.id if droppable else ""

    def _type_comment(self, comment: cst.Comment) -> None:
        """``# type:`` comments follow renames and dotted old names."""

        def swap(m: re.Match[str]) -> str:
            token = m.group(0)
            if "." in token:
                res = self._resolve(token)
                return res.new if res is not None else token
            return self.renames.get(token, token)

        head, sep, tail = comment.value.partition("type:")
        new = head + sep + _TOKEN.sub(swap, tail)
        if new != comment.value:
            self.d.comment_new[id(comment)] = comment.with_changes(value=new)
            self.d.touched.append(comment)
            self.d.edits.append((self.d.edits[0][0], new))

    # -- import forms --------------------------------------------------------------------

    def _import_from(self, node: cst.ImportFrom) -> None:
        level = len(node.relative)
        base = dotted.resolve_relative(
            level, nodes.name_of(node.module), self.module, self.is_package
        )
        if base is None:
            return
        if isinstance(node.names, cst.ImportStar):
            res = self._resolve(base) if base else None
            if res is not None:
                relative, module = nodes.from_module(res.new, self._relative(res.new, level > 0))
                self._record(res.move.id, node, node.with_changes(relative=relative, module=module))
            return
        keep: list[cst.ImportAlias] = []
        groups: dict[str, list[cst.ImportAlias]] = {}
        rule = ""
        for alias in node.names:
            name, asname = nodes.alias_name(alias), nodes.alias_as(alias)
            local = asname or name
            full = dotted.join(base, name)
            res = self._resolve(full)
            chains = local in self.found.attr_roots and self.rules.has_below(full)
            accesses = self._accesses(node, {local}, chains)
            rewritten, remaining, _ = self._chains(accesses, full, False, node, None)
            if rewritten:
                rule = rule or self.d.edits[-1][0]
            if rewritten and not remaining and local not in self.found.exports:
                continue  # every use now names the new place: the import goes
            if res is None:
                dropped = self._self_import_dropped(full, local, True)
                if dropped:
                    rule = rule or dropped
                else:
                    keep.append(alias)
                continue
            rule = rule or res.move.id
            new_module, new_name = dotted.parent(res.new), dotted.leaf(res.new)
            if asname is not None:
                new_as = None if asname == new_name else asname
            elif new_name == name:
                new_as = None
            elif self._can_rename(node, name, new_name):
                new_as = None
                self.renames[name] = new_name
                self._rename(res.move.id, self._accesses(node, {local}) or [], new_name)
            else:
                new_as = name
            groups.setdefault(new_module, []).append(nodes.set_alias(alias, new_name, new_as))
        if len(keep) == len(node.names) and not groups:
            return  # nothing moved here; lines that chains need were queued by _chains
        self._build_from(node, base, level > 0, keep, groups, rule or "?")

    def _build_from(
        self,
        node: cst.ImportFrom,
        base: str,
        was_relative: bool,
        keep: list[cst.ImportAlias],
        groups: dict[str, list[cst.ImportAlias]],
        rule: str,
    ) -> None:
        paren = node.lpar is not None
        original = list(node.names) if not isinstance(node.names, cst.ImportStar) else []
        lines: list[cst.SimpleStatementLine] = []
        if not keep and len(groups) == 1 and next(iter(groups)):
            target, aliases = next(iter(groups.items()))
            relative, module = nodes.from_module(target, self._relative(target, was_relative))
            new: cst.BaseSmallStatement | None = node.with_changes(
                relative=relative,
                module=module,
                names=close(aliases, original, paren),
                rpar=node.rpar,
            )
        else:
            new = node.with_changes(names=close(keep, original, paren)) if keep else None
            for target, aliases in groups.items():
                lines.append(
                    new_import_line(target, aliases, self._relative(target, was_relative), node)
                )
        self.d.after.setdefault(id(node), [])[:0] = lines
        self._record(rule, node, new)

    def _import(self, node: cst.Import) -> None:
        new_aliases: list[cst.ImportAlias] = []
        changed = False
        rule = ""
        for alias in node.names:
            name, asname = nodes.alias_name(alias), nodes.alias_as(alias)
            res = self._resolve(name)
            new_name = res.new if res else name
            if asname is not None:
                chains = asname in self.found.attr_roots and self.rules.has_below(name)
                accesses = self._accesses(node, {asname}, chains)
                rewritten, remaining, kept = self._chains(accesses, name, False, node, None)
                exported = asname in self.found.exports
            else:
                root = name.partition(".")[0]
                parts = name.split(".")
                prefixes = {".".join(parts[: i + 1]) for i in range(len(parts))}
                moves_root = res is not None and res.new.partition(".")[0] != root
                chains = moves_root or (
                    root in self.found.attr_roots
                    and (res is not None or self.rules.has_below(root))
                )
                accesses = self._accesses(node, prefixes, chains)
                rewritten, remaining, kept = self._chains(accesses, root, True, node, new_name)
                exported = root in self.found.exports
            if rewritten:
                changed = True
                rule = rule or self.d.edits[-1][0]
            if rewritten and not (remaining or kept or exported) and (res is None or asname):
                continue  # every use now names the new place: the import goes
            if res is None:
                dropped = self._self_import_dropped(name, asname or name, False)
                if dropped:
                    changed, rule = True, rule or dropped
                else:
                    new_aliases.append(alias)
                continue
            changed = True
            rule = rule or res.move.id
            if asname is not None:
                keep_as = None if asname == res.new else asname
                new_aliases.append(nodes.set_alias(alias, res.new, keep_as))
            else:
                new_aliases.append(nodes.set_alias(alias, res.new, None))
                root = name.partition(".")[0]
                if remaining and res.new.partition(".")[0] != root:
                    self._need(root, node)
        if not changed:
            return
        if len(new_aliases) == len(node.names) and all(
            a is b for a, b in zip(new_aliases, node.names, strict=False)
        ):
            return  # only chains changed; lines needed were queued by _chains
        new = (
            node.with_changes(names=close(new_aliases, list(node.names), False))
            if new_aliases
            else None
        )
        self._record(rule or "?", node, new)

    def _string(self, node: cst.SimpleString) -> None:
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - odd escapes: not a dotted name anyway
            return
        if not isinstance(value, str) or "." not in value or not dotted.is_identifier_path(value):
            return
        res = self._resolve(value)
        if res is None or not self.rules.strings_enabled(res.move) or node.raw_value != value:
            return
        new = node.with_changes(value=f"{node.prefix}{node.quote}{res.new}{node.quote}")
        self.d.expr_new[id(node)] = new
        self._edit(res.move.id, node, node.value, new.value)
