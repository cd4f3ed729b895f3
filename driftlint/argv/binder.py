"""Bind argv words to a script's interface under its dialect and report the problems that are sure.

Soundness (DESIGN §6): a problem is reported only if it holds for every expansion of the
dynamic words. The rules, in the order the binder applies them:

1. *Wild words.* A dynamic word with no literal text before its first unknown piece (`$x`,
   `${a}.conf`, `"$x"`) may be any number of words of any text when unquoted, and any one word
   when quoted. It could be `--`, an option that eats the following words, a subcommand or
   positionals, so after a wild word nothing more is reported: no option problem, no
   too-many-arguments, no missing-argument, no missing-required. Problems found before it stand.
2. *Known-shaped words.* A dynamic word whose literal prefix fixes its meaning is judged by
   that prefix, and taken as one word (we assume an unknown piece inside a word with literal
   text does not hold whitespace that splits it): `--verbos=$x` is the unknown option
   `--verbos`, `--timeout=$x` is `--timeout` with an unknown value (no invalid-choice), `-t$x`
   is `-t` with an attached value, `-v$x` (literal flags then an unknown tail), `--$x`, `-$x`
   and a possible number like `-5$x` are wild, and `foo$x` is one positional of unknown text.
   `-t$x` may have an empty value, so the word after it may be `-t`'s value and is not judged.
3. *Values.* A dynamic word where an option's value is expected is that value, unless it may
   expand to nothing (unquoted wild) or to a word the dialect refuses as a value (argparse
   refuses option-looking words and `--`, docopt refuses `--`): then it is wild.
4. *Unknown options.* After an unknown (or stale) option the arity is a guess: the next word is
   not judged (it may be the option's value) unless it is an unknown option itself (each bad
   word of a call is reported) or the option's old declaration says it took no value, and
   positional counts, positional choices, subcommands and missing-required are no longer
   reported (the same after a missing-argument).
   Later option words are still judged: each misspelling is its own root cause. In a dialect
   that stops at the first positional, a word that may be a value or a positional (or `--`)
   also makes the rest unsure.
5. `passthrough` (`"$@"`): more words may follow, so no missing-argument at the end and no
   missing-required; too-many-arguments still holds, as more words only add to the count.
6. `accepts_unknown`: unknown and removed options are never problems (but still confuse arity).
7. The `positional` dialect (a script with no option parser): every word is an operand, `-q`
   and `--` included, so an option passed to it is one more operand.
"""

from __future__ import annotations

from collections.abc import Sequence

from driftlint.argv.shapes import (
    Lookup,
    find_long,
    find_single_dash_long,
    is_dynamic,
    looks_like_option,
    prefix_of,
    refuses_value,
)
from driftlint.model import (
    Binding,
    Bound,
    BoundKind,
    Interface,
    Option,
    Positional,
    Problem,
    Word,
    narrow,
)


def bind_argv(words: Sequence[Word], interface: Interface, passthrough: bool = False) -> Binding:
    """Say what each word is and return the problems that hold for every expansion."""
    binder = _Binder(tuple(words), interface, passthrough)
    binder.run()
    return Binding(tuple(binder.bound), tuple(binder.problems), binder.interface)


class _Binder:
    def __init__(self, words: tuple[Word, ...], interface: Interface, passthrough: bool) -> None:
        self.words = words
        self.interface = interface
        self.passthrough = passthrough
        self.bound: list[Bound] = []
        self.problems: list[Problem] = []
        self.sure = True  # no wild word seen yet (rule 1)
        self.confused = False  # an option of unknown arity was seen (rule 4)
        self.skip_next = False  # the next word may be a value of something unknown
        self.after_unknown = False  # ... because it follows an unknown option
        self.options_done = False  # after `--`, or after the first positional when not interleaved
        self.after_separator = False
        self.stopped = False  # an unknown subcommand: the rest binds to nothing
        self.count = 0  # positionals bound at this (sub)command level
        self.too_many_reported = False
        self.seen: set[tuple[str, ...]] = set()
        # where each option was first given (its word and the offsets of its name)
        self.first_use: dict[tuple[str, ...], tuple[Word, int, int]] = {}
        self.dashed: list[Word] = []  # operands that look like options (positional dialect)

    # driving -----------------------------------------------------------------------------
    def run(self) -> None:
        index = 0
        while index < len(self.words):
            word = self.words[index]
            if self.stopped:
                self.add("unknown", word)
                index += 1
            elif self.skip_next and not (self.after_unknown and self.own_option(word)):
                self.skip_next = self.after_unknown = False
                self.skip(word)
                index += 1
            else:
                index = self.step(index)
        self.finish(positionals=True)

    def step(self, index: int) -> int:
        word = self.words[index]
        text = word.text
        if is_dynamic(word):
            return self.dynamic(index)
        if self.options_done:
            self.positional(word, known=True)
        elif text == "--" and self.interface.dialect != "positional":
            self.add("separator", word)
            self.options_done = self.after_separator = True
        elif looks_like_option(text, self.interface):
            return self.option(index, text, tail=False)
        else:
            self.positional(word, known=True)
        return index + 1

    def own_option(self, word: Word) -> bool:
        """After an unknown option, a literal word that is an unknown option too is judged (each
        bad word of a call is reported). A word the script knows, or a possible negative
        number, may be the unknown option's value: it stays unjudged."""
        text = word.text
        if is_dynamic(word) or not looks_like_option(text, self.interface):
            return False
        if text[1:2].isdigit() or text[1:2] == ".":
            return False
        if text.startswith("--"):
            name = text.split("=", 1)[0] if self.interface.long_equals else text
            if find_long(self.interface, name).option is not None:
                return False
        elif self.interface.find_option(text[:2]) is not None or (
            self.interface.single_dash_long
            and find_single_dash_long(self.interface, text.split("=", 1)[0]) is not None
        ):
            return False
        self.skip_next = self.after_unknown = False
        return True

    def skip(self, word: Word) -> None:
        """Bind a word that may be the value of what came before (rules 2 and 4)."""
        prefix = prefix_of(word)
        if is_dynamic(word) and prefix == "":
            self.sure = False
        elif prefix == "--" or (
            not self.interface.interleaved and not looks_like_option(prefix, self.interface)
        ):
            # A value or a separator / the first operand: what follows is unsure either way.
            self.sure = False
        self.add("unknown", word)

    def dynamic(self, index: int) -> int:
        word = self.words[index]
        prefix = prefix_of(word)
        if self.options_done or self.interface.dialect == "positional":
            if prefix == "" and not word.quoted:
                self.wild(word)
            else:
                self.positional(word, known=False)
            return index + 1
        if prefix == "" or prefix == "-" or prefix == "--":
            self.wild(word)
        elif prefix.startswith("--"):
            if self.interface.long_equals and "=" in prefix:
                return self.option(index, prefix, tail=True)
            self.wild(word)
        elif prefix.startswith("-"):
            if self.interface.dialect in ("argparse", "docopt") and prefix[1] in "0123456789.":
                self.wild(word)  # may be a negative number, which these read as a positional
            else:
                return self.option(index, prefix, tail=True)
        else:
            self.positional(word, known=False)
        return index + 1

    def wild(self, word: Word) -> None:
        self.sure = False
        self.add("dynamic", word)

    # options -----------------------------------------------------------------------------
    def option(self, index: int, text: str, tail: bool) -> int:
        """Bind an option word; `text` is its literal prefix when `tail` (more unknown text)."""
        if text.startswith("--"):
            return self.long_option(index, text, tail)
        interface = self.interface
        if interface.single_dash_long:
            name = text.split("=", 1)[0] if interface.long_equals else text
            if tail and name == text:
                self.wild(self.words[index])  # `-fo$x` may be any single-dash name
                return index + 1
            found = find_single_dash_long(interface, name)
            if found is not None:
                return self.long_like(index, name, text[len(name) :], found, tail)
        return self.cluster(index, text, tail)

    def long_option(self, index: int, text: str, tail: bool) -> int:
        equals = self.interface.long_equals and "=" in text
        name = text.split("=", 1)[0] if equals else text
        return self.long_like(index, name, text[len(name) :], find_long(self.interface, name), tail)

    def long_like(self, index: int, name: str, rest: str, found: Lookup, tail: bool) -> int:
        """Bind `name` plus `rest` (`=value` or ``) resolved to `found`."""
        word = self.words[index]
        has_value = rest.startswith("=")
        end = len(name)
        if found.option is None:
            self.unknown(word, name, 0, end, found, ends_word=not has_value and not tail)
            return index + 1
        option = found.option
        self.add("option", word, found.name, 0, end)
        self.use(option, found.name, word, 0, end)
        if not option.takes_value:
            if has_value:
                self.problem("unexpected-value", word, found.name)
            return index + 1
        if has_value:
            self.add("value", word, found.name, end + 1)
            if not tail:
                self.check_choice(option, found.name, word, rest[1:], end + 1)
            return self.more_values(index, option, found.name, word, 0, end)
        if option.optional_value:
            return index + 1
        return self.values(index + 1, option, found.name, word, 0, end, option.nargs)

    def cluster(self, index: int, text: str, tail: bool) -> int:
        """Bind `-abc`: bundled flags, perhaps ending in an option with an attached value."""
        word = self.words[index]
        interface = self.interface
        position = 1
        while position < len(text):
            name = "-" + text[position]
            start = 0 if position == 1 else position
            end = position + 1
            option = interface.find_option(name)
            if option is None:
                found = Lookup(None, name, interface.removed_option(name))
                ends_word = end == len(text) and not tail
                self.unknown(word, name, start, end, found, ends_word)
                return index + 1
            self.add("option", word, name, start, end)
            self.use(option, name, word, start, end)
            rest = text[end:]
            if option.takes_value:
                if rest or tail:
                    if not interface.attached_values:
                        if rest and not tail and not interface.bundling:
                            # A hand-written `case` matches whole words: `-kc` is no arm.
                            lookup = Lookup(None, text, interface.removed_option(text))
                            self.unknown(word, text, 0, len(text), lookup, ends_word=True)
                            return index + 1
                        self.wild(word)  # `-t5` where values never attach: not modelled
                        return index + 1
                    self.add("value", word, name, end)
                    if not rest:
                        # `-t$x` with an empty `$x`: the next word may be the value (rule 2).
                        self.confused = self.skip_next = True
                        return index + 1
                    if not tail:
                        self.check_choice(option, name, word, rest, end)
                    return self.more_values(index, option, name, word, start, end)
                if option.optional_value:
                    return index + 1
                return self.values(index + 1, option, name, word, start, end, option.nargs)
            if rest and not interface.bundling:
                lookup = Lookup(None, text, interface.removed_option(text))
                self.unknown(word, text, 0, len(text), lookup, ends_word=not tail)
                return index + 1
            position += 1
        if tail:
            # Flags, then an unknown tail: more flags, or one that takes the next word.
            self.wild(word)
        return index + 1

    def more_values(
        self, index: int, option: Option, name: str, owner: Word, start: int, end: int
    ) -> int:
        """After an attached value: take the rest of an option's `nargs` words."""
        if option.nargs <= 1:
            return index + 1
        if self.interface.dialect == "argparse":
            # argparse takes an attached value as the only one (`-n5 6`: "expected 2 arguments");
            # optparse puts it first and reads the others from the next words.
            self.missing(owner, name, start, end)
            return index + 1
        return self.values(index + 1, option, name, owner, start, end, option.nargs - 1)

    def values(
        self, index: int, option: Option, name: str, owner: Word, start: int, end: int, count: int
    ) -> int:
        """Take `count` value words (-1: one or more, -2: zero or more, -3: zero or one)."""
        need = {-1: 1, -2: 0, -3: 0}.get(count, count)
        most = 1 if count == -3 else count
        taken = 0
        interface = self.interface
        while count in (-1, -2) or taken < most:
            if index >= len(self.words):
                if taken < need and not self.passthrough:
                    self.missing(owner, name, start, end)
                return index
            word = self.words[index]
            if is_dynamic(word):
                prefix = prefix_of(word)
                refusable = (
                    interface.dialect == "argparse" and (prefix == "" or prefix[0] == "-")
                ) or (interface.dialect == "docopt" and prefix in ("", "-", "--"))
                if (prefix == "" and not word.quoted) or refusable:
                    self.wild(word)
                    return index + 1
                self.add("value", word, name)
            else:
                text = word.text
                ends_list = (
                    count < 0
                    and taken >= need
                    and (text == "--" or looks_like_option(text, interface))
                )
                if refuses_value(text, interface) or ends_list:
                    if taken < need:
                        self.missing(owner, name, start, end)
                    return index
                self.add("value", word, name)
                self.check_choice(option, name, word, text, 0)
            index += 1
            taken += 1
        return index

    def missing(self, owner: Word, name: str, start: int, end: int) -> None:
        self.problem("missing-argument", owner, name, "", start, end)
        self.confused = True  # the caller meant some other arity: what follows is a guess

    def unknown(
        self, word: Word, name: str, start: int, end: int, found: Lookup, ends_word: bool
    ) -> None:
        if not self.interface.accepts_unknown:
            code = "stale-option" if found.removed is not None else "unknown-option"
            detail = ", ".join(found.candidates)
            self.problem(code, word, name, detail, start, end)
        self.add("unknown", word, name, start, end)
        self.confused = True
        # A removed option whose old declaration says it took no value takes no next word.
        self.skip_next = ends_word and (found.removed is None or found.removed.takes_value)
        self.after_unknown = self.skip_next

    def use(self, option: Option, name: str, word: Word, start: int, end: int) -> None:
        first = self.first_use.get(option.names)
        if first is None:
            self.first_use[option.names] = (word, start, end)
        elif option.takes_value and not option.repeatable and not self.confused:
            # the parser keeps the last value: the first is silently dropped
            where = narrow(first[0], first[1], first[2])
            self.problem("repeated-option", word, name, str(where), start, end)
        self.seen.add(option.names)
        if option.deprecated:
            self.problem("deprecated-option", word, name, "", start, end)

    def check_choice(self, option: Option, name: str, word: Word, value: str, start: int) -> None:
        if option.choices is not None and value not in option.choices:
            self.problem("invalid-choice", word, name, ", ".join(option.choices), start, -1)

    # positionals and subcommands -----------------------------------------------------------
    def positional(self, word: Word, known: bool) -> None:
        interface = self.interface
        if interface.subcommands and not self.after_separator:
            self.subcommand(word, known)
            return
        if not interface.interleaved:
            self.options_done = True
        self.count += 1
        slot, fixed = _slot(interface.positionals, self.count - 1)
        kind: BoundKind = "operand" if self.after_separator else "positional"
        self.add(kind if known else "dynamic", word, slot.name if slot else "")
        allowed = _allowed(interface.positionals)
        if self.confused:
            return
        if interface.dialect == "positional" and known and _option_like(word.text):
            self.dashed.append(word)
        if allowed is not None and self.count > allowed and not self.too_many_reported:
            self.too_many_reported = True
            # With no option parser, an inserted `-q` is what pushed the count over: say so.
            culprit = self.dashed[0] if self.dashed else word
            self.problem("too-many-arguments", culprit, slot.name if slot else "", str(allowed))
        choices = slot.choices if known and fixed and slot is not None else None
        if choices is not None and slot is not None and word.text not in choices:
            self.problem("invalid-choice", word, slot.name, ", ".join(choices))

    def subcommand(self, word: Word, known: bool) -> None:
        interface = self.interface
        sub = interface.subcommand(word.text) if known else None
        if sub is None:
            if not known:
                self.wild(word)
            elif not self.confused:
                names = ", ".join(name for name, _ in interface.subcommands)
                self.problem("unknown-subcommand", word, word.text, names)
            self.add("unknown", word, word.text)
            self.stopped = True
            return
        self.finish(positionals=False)
        self.add("subcommand", word, word.text)
        # Options before the subcommand belong to the parent; the rest binds to the child.
        self.interface = sub
        self.count = 0
        self.seen = set()
        self.first_use = {}
        self.options_done = self.too_many_reported = False

    def finish(self, positionals: bool) -> None:
        """Report required options (and positionals) of the current level that never came."""
        if not self.sure or self.confused or self.passthrough or self.stopped or not self.words:
            return
        last = self.words[-1]
        for option in self.interface.options:
            if option.required and option.names not in self.seen:
                self.problem("missing-required", last, option.name)
        if positionals and not self.interface.subcommands:
            needed = 0
            for slot in self.interface.positionals:
                needed += slot.min
                if self.count < needed:
                    self.problem("missing-required", last, slot.name)
                    break

    # records -------------------------------------------------------------------------------
    def add(
        self, kind: BoundKind, word: Word, name: str = "", start: int = 0, end: int = -1
    ) -> None:
        self.bound.append(Bound(kind, word, name, start, _end(word, end)))

    def problem(
        self, code: str, word: Word, name: str, detail: str = "", start: int = 0, end: int = -1
    ) -> None:
        if self.sure:
            self.problems.append(Problem(code, word, name, detail, start, _end(word, end)))


def _option_like(text: str) -> bool:
    return len(text) > 1 and text.startswith("-") and not text[1:2].isdigit() and text != "--"


def _end(word: Word, end: int) -> int:
    """-1 (the end of the word) when the part reaches the end of the word's text."""
    return -1 if end < 0 or end >= len(word.text) else end


def _allowed(positionals: tuple[Positional, ...]) -> int | None:
    total = 0
    for slot in positionals:
        if slot.max is None:
            return None
        total += slot.max
    return total


def _slot(positionals: tuple[Positional, ...], index: int) -> tuple[Positional | None, bool]:
    """The positional a word at `index` fills, and whether that is certain (fixed counts)."""
    offset = 0
    fixed = True
    for number, slot in enumerate(positionals):
        last = number == len(positionals) - 1
        if slot.max is None or index < offset + slot.max:
            return slot, fixed and (last or slot.min == slot.max)
        fixed = fixed and slot.min == slot.max
        offset += slot.max
    return None, False
