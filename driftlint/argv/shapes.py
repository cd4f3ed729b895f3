"""Word shapes and option look-ups for the argv binder: what a word looks like under a dialect."""

from __future__ import annotations

import re
from dataclasses import dataclass

from driftlint.ltext import SYMBOL
from driftlint.model import Interface, Option, Word

# argparse treats `-5` and `-.5` as positionals unless an option itself looks like one
# (argparse.ArgumentParser._negative_number_matcher).
_NEGATIVE = re.compile(r"^-\d+$|^-\d*\.\d+$")


@dataclass(frozen=True, slots=True)
class Lookup:
    """What an option name as written resolves to."""

    option: Option | None  # the accepted option, if any
    name: str  # the canonical spelling matched, or the name as written
    removed: Option | None = None  # a removed option of that exact name
    candidates: tuple[str, ...] = ()  # ambiguous abbreviation: the spellings it could be


def prefix_of(word: Word) -> str:
    """The literal text before the first unknown piece (all of it for a literal word)."""
    at = word.text.find(SYMBOL)
    return word.text if at < 0 else word.text[:at]


def is_dynamic(word: Word) -> bool:
    return word.dynamic or SYMBOL in word.text


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def looks_like_option(text: str, interface: Interface) -> bool:
    """Would the dialect's parser read this literal word as an option (not `--`)?"""
    if len(text) < 2 or not text.startswith("-") or text == "--":
        return False
    if interface.dialect == "positional":
        return False  # no option parser: `-q` is an operand like any other word
    if interface.dialect == "argparse":
        if text in interface.option_names() or text.split("=", 1)[0] in interface.option_names():
            return True
        if _NEGATIVE.match(text) and not any(_NEGATIVE.match(n) for n in interface.option_names()):
            return False
        # argparse.ArgumentParser._parse_optional: an unknown word with a space is positional.
        return " " not in text
    if interface.dialect == "docopt":
        # docopt.parse_argv: anything float() accepts is an argument (`-5`, `-inf`).
        return not is_number(text)
    return True


def refuses_value(text: str, interface: Interface) -> bool:
    """Would the parser refuse this literal word as the next-word value of an option?

    getopts, getopt_long and optparse take the next word whatever it is; argparse refuses
    option-looking words and `--`; docopt-ng refuses only `--` (parse_longer/parse_shorts).
    """
    if interface.dialect == "argparse":
        return text == "--" or looks_like_option(text, interface)
    if interface.dialect == "docopt":
        return text == "--"
    return False


def find_long(interface: Interface, name: str) -> Lookup:
    """Resolve a long (or single-dash long) option name; an exact match wins over prefixes."""
    option = interface.find_option(name)
    if option is not None:
        return Lookup(option, name)
    # `-f` abbreviates only where single-dash names are long ones (Getopt::Long, no bundling).
    one_letter = interface.single_dash_long and not interface.bundling and len(name) == 2
    if interface.abbreviations and (len(name) > 2 or one_letter):
        dashes = "--" if name.startswith("--") else "-"
        matches: dict[int, tuple[Option, str]] = {}
        spellings: list[str] = []
        for index, candidate in enumerate(interface.options):
            for spelling in candidate.names:
                long_enough = len(spelling) > 2 or dashes == "--"
                same_kind = spelling.startswith(dashes) and (
                    dashes == "--" or not spelling.startswith("--")
                )
                if same_kind and long_enough and spelling.startswith(name):
                    matches.setdefault(index, (candidate, spelling))
                    spellings.append(spelling)
        if len(matches) == 1:
            found, spelling = next(iter(matches.values()))
            return Lookup(found, spelling)
        if len(matches) > 1:
            return Lookup(None, name, interface.removed_option(name), tuple(sorted(spellings)))
    return Lookup(None, name, interface.removed_option(name))


def find_single_dash_long(interface: Interface, name: str) -> Lookup | None:
    """An optparse/argparse-style `-foo` name, or None to read the word as short options.

    Without bundling, Getopt::Long reads `-f` too as a long name, abbreviated (`-f` is
    `--field` when no other option starts with `f`)."""
    getopt_long = interface.abbreviations and not interface.bundling
    if not interface.single_dash_long or (len(name) <= 2 and not getopt_long):
        return None
    found = find_long(interface, name)
    if found.option is not None or found.candidates:
        return found
    return None
