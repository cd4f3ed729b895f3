"""Judge 1 of issue 27: Puppet's own evaluator spec against driftlint's evaluator.

    python bench/puppet_spec_judge.py PUPPET_CHECKOUT [--verbose] [--json OUT]

reads the `"source" => result` tables (and the `evaluate_string(scope, "source")` expectations)
of `spec/unit/pops/evaluator/*_spec.rb` in a checkout of puppetlabs/puppet at run time (nothing
of Puppet's spec is kept here), asks the installed `puppet` for this version's answer to each
source, evaluates the same source with driftlint's evaluator and prints, per category and in
all, how many cases there are, how many driftlint claims to know (a value without an unknown
part) and how many of those agree, then every disagreement.

The spec's own expected values are not used: they are those of the spec's Puppet version, and
some tables test other evaluators (the literal evaluators). Puppet's answer comes from a fresh
compiler and scope per case, as the spec's `before(:each)` makes them, with strict variables.
A case Puppet refuses (a syntax or evaluation error here) is not a static case and is dropped.

The functions that ask Puppet and driftlint are shared with tests/test_oracle_spec.py, which
keeps the agreement on a table of cases of our own.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from driftlint.ltext import SYMBOL, LText
from driftlint.parse.puppet import parse_manifest
from driftlint.resolve.evaluate import Evaluator, Frame
from driftlint.resolve.scope import Index
from driftlint.values import Unknown, Value

SPEC_DIR = "spec/unit/pops/evaluator"
CATEGORIES = (
    "literals", "operators", "strings", "interpolation", "collections", "conditionals",
    "iteration", "regex captures", "functions",
)  # fmt: skip
OUT_OF_SCOPE = "types, resources"  # Puppet's type system and the catalog: not judged

# ---------------------------------------------------------------------------------------------
# Asking Puppet: a function of a stub module evaluates each case as the spec does.
JUDGE_FUNCTION = r"""
require 'json'
Puppet::Functions.create_function(:judge_cases, Puppet::Functions::InternalFunction) do
  dispatch :run do
    scope_param
    param 'String', :input
    param 'String', :output
  end

  def encode(v)
    case v
    when nil, :undef then nil
    when true, false then v
    when :default then {'default' => true}
    when String then {'s' => v}
    when Integer then {'i' => v, 't' => text(v)}
    when Float then {'f' => v, 't' => text(v)}
    when Array then v.map { |x| encode(x) }
    when Hash then {'h' => v.map { |k, x| [encode(k), encode(x)] }}
    when Regexp then {'re' => v.source}
    else {'other' => v.class.name, 't' => text(v)}
    end
  end

  def text(v)
    Puppet::Pops::Types::StringConverter.singleton.convert(v, '%s')
  rescue StandardError
    v.to_s
  end

  def run(scope, input, output)
    parser = Puppet::Pops::Parser::EvaluatingParser.new
    answers = JSON.parse(File.read(input)).map do |c|
      node = Puppet::Node.new('node.example.com')
      node.environment = scope.environment
      compiler = Puppet::Parser::Compiler.new(node)
      s = Puppet::Parser::Scope.new(compiler)
      s.source = Puppet::Resource::Type.new(:node, 'node.example.com')
      s.parent = compiler.topscope
      begin
        value = Puppet.override({:loaders => compiler.loaders}, 'judge') do
          parser.evaluate_string(s, c['source'], 'case.pp')
        end
        {'id' => c['id'], 'value' => encode(value)}
      rescue StandardError, Puppet::Error => e
        {'id' => c['id'], 'error' => e.message.lines.first.to_s.strip}
      end
    end
    File.write(output, JSON.generate(answers))
    nil
  end
end
"""
FACTS = "--- !ruby/object:Puppet::Node::Facts\nname: judge\nvalues:\n  kernel: Linux\n"


def puppet_version() -> str | None:
    puppet = shutil.which("puppet")
    if puppet is None:
        return None
    done = subprocess.run([puppet, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or None


def ask_puppet(sources: list[str]) -> list[dict[str, Any]]:
    """Puppet's answer to each source, in order: {"value": ...} or {"error": message}.

    One `puppet apply` for all of them; each case gets its own compiler and scope."""
    puppet = shutil.which("puppet")
    if puppet is None:
        raise RuntimeError("puppet is not installed")
    with tempfile.TemporaryDirectory(prefix="judge-") as folder:
        work = Path(folder)
        functions = work / "modules" / "judge" / "lib" / "puppet" / "functions"
        functions.mkdir(parents=True)
        (functions / "judge_cases.rb").write_text(JUDGE_FUNCTION)
        facts = work / "var" / "yaml" / "facts"
        facts.mkdir(parents=True)
        (facts / "judge.yaml").write_text(FACTS)
        cases = work / "cases.json"
        cases.write_text(json.dumps([{"id": i, "source": s} for i, s in enumerate(sources)]))
        answers = work / "answers.json"
        done = subprocess.run(
            [puppet, "apply", "--noop", "--color", "false", "--certname", "judge",
             "--facts_terminus", "yaml", "--strict_variables",
             "--confdir", str(work / "conf"), "--vardir", str(work / "var"),
             "--codedir", str(work / "code"), "--modulepath", str(work / "modules"),
             "-e", f"judge_cases('{cases}', '{answers}')"],
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        if not answers.is_file():
            raise RuntimeError(f"puppet apply failed: {done.stderr.strip()[:500]}")
        found: list[dict[str, Any]] = json.loads(answers.read_text())
    return sorted(found, key=lambda a: int(a["id"]))


# ---------------------------------------------------------------------------------------------
# Asking driftlint: the same source as statements at top scope, the last one's value.
def ask_driftlint(source: str) -> list[Value] | None:
    """driftlint's alternatives for the value of `source`, or None if it does not parse."""
    manifest = parse_manifest(source, "case.pp", puppet3=False)
    if manifest.errors or not manifest.body:
        return None
    index = Index()
    index.add(manifest)
    evaluator = Evaluator(index, {}, None, None)
    frame: Frame = evaluator.top
    result: list[Value] = [None]
    try:
        for node in manifest.body:
            result = evaluator.eval(node, frame, ())
    except Exception as error:  # a crash of the evaluator is a finding
        return [Unknown(None, f"crash: {type(error).__name__}: {error}")]
    return result


def has_unknown(value: Value) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, LText):
        return value.dynamic or SYMBOL in value.text
    if isinstance(value, tuple):
        return any(has_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    return not (value is None or isinstance(value, bool))


def same(ours: Value, theirs: Any) -> bool | None:
    """Does driftlint's value equal Puppet's? None when ours has an unknown part and the known
    parts agree (a word left unknown may be anything); False as soon as a known part differs.

    driftlint keeps numbers as their text: a number agrees when its text is what Puppet
    interpolates (`010` is 8 to Puppet, and "${010}" is "8")."""
    if isinstance(ours, Unknown):
        return None
    if isinstance(ours, LText):
        if isinstance(theirs, dict) and ("s" in theirs or "t" in theirs):
            text = theirs["s"] if "s" in theirs else theirs["t"]
            if ours.dynamic or SYMBOL in ours.text:
                pattern = "".join(".*" if c == SYMBOL else re.escape(c) for c in ours.text)
                return None if re.fullmatch(pattern, str(text), re.S) else False
            return ours.text == text and ("s" in theirs or "i" in theirs or "f" in theirs)
        return False
    if ours is None or isinstance(ours, bool):
        return ours is theirs if isinstance(theirs, bool) or theirs is None else False
    if isinstance(ours, tuple):
        if not isinstance(theirs, list):
            return False
        if any(isinstance(v, Unknown) for v in ours):
            # An unknown item may stand for any items (`[1, *$x, 4]`): the known ones must
            # fit Puppet's array in order.
            return None if _fits(ours, theirs) else False
        if len(theirs) != len(ours):
            return False
        return _all(same(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(ours, dict):
        if not isinstance(theirs, dict) or "h" not in theirs:
            return False
        pairs = theirs["h"]
        keys = [k.get("s", k.get("t")) if isinstance(k, dict) else k for k, _ in pairs]
        if keys != list(ours):
            return False
        return _all(same(ours[k], v) for k, (_, v) in zip(keys, pairs, strict=True))
    return None  # a value driftlint has no way to say (a deferred template)


def _fits(ours: tuple[Value, ...], theirs: list[Any]) -> bool:
    if not ours:
        return not theirs
    head, rest = ours[0], ours[1:]
    if isinstance(head, Unknown):
        return any(_fits(rest, theirs[k:]) for k in range(len(theirs) + 1))
    return bool(theirs) and same(head, theirs[0]) is not False and _fits(rest, theirs[1:])


def _all(verdicts: Any) -> bool | None:
    out: bool | None = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            out = None
    return out


def judge(ours: list[Value] | None, theirs: Any) -> str:
    """agree, wrong (a known value Puppet does not give), unknown (driftlint does not say),
    alternatives (several values, Puppet's among them: sound, not an answer), unparsed."""
    if ours is None:
        return "unparsed"
    verdicts = [same(v, theirs) for v in ours]
    if len(ours) == 1:
        return {True: "agree", False: "wrong", None: "unknown"}[verdicts[0]]
    if not ours or all(v is False for v in verdicts):
        return "wrong" if ours else "unknown"
    return "alternatives"


def show(value: Any) -> str:
    """Puppet's encoded answer as Puppet would print it."""
    if value is None:
        return "undef"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if "s" in value:
        return repr(value["s"])
    if "h" in value:
        return "{" + ", ".join(f"{show(k)} => {show(v)}" for k, v in value["h"]) + "}"
    if "re" in value:
        return f"/{value['re']}/"
    if "default" in value:
        return "default"
    return str(value.get("t", value))


def show_ours(values: list[Value] | None) -> str:
    if values is None:
        return "(driftlint does not parse it)"
    return " | ".join(_show_value(v) for v in values)


def _show_value(value: Value) -> str:
    if isinstance(value, LText):
        return repr(value.text.replace(SYMBOL, "?"))
    if isinstance(value, Unknown):
        return f"unknown({value.name})"
    if value is None:
        return "undef"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "[" + ", ".join(_show_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r} => {_show_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


# ---------------------------------------------------------------------------------------------
# Reading the spec: a small Ruby lexer, enough for the spec files' strings, hashes and blocks.
@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "str", "word", "punct"
    text: str  # a string's value; the word or punctuation otherwise
    line: int
    dynamic: bool = False  # a double-quoted string with #{...}


RUBY_ESCAPES = {"n": "\n", "t": "\t", "s": " ", "r": "\r", "0": "\0", "e": "\x1b", "v": "\v"}
REGEX_BEFORE = set("(,=[{|!~;") | {"=>", "when", "and", "or", "not", "if", "unless"}


def lex_ruby(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, line, n = 0, 1, len(text)
    heredocs: list[tuple[str, bool]] = []  # terminators waiting for the next line
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            while heredocs:  # skip each pending heredoc's body
                end, _ = heredocs.pop(0)
                while i < n:
                    stop = text.find("\n", i)
                    stop = n if stop < 0 else stop
                    body_line = text[i:stop]
                    i, line = stop + 1, line + 1
                    if body_line.strip() == end:
                        break
            continue
        if c in " \t\r\\":
            i += 1
            continue
        if c == "#":
            stop = text.find("\n", i)
            i = n if stop < 0 else stop
            continue
        if c in "'\"":
            start, start_line = i, line
            value, dynamic, i = _ruby_string(text, i, c)
            line += text.count("\n", start, i)
            tokens.append(Token("str", value, start_line, dynamic))
            continue
        heredoc = re.match(r"<<[-~]?(['\"]?)([A-Z_]+)\1", text[i:])
        if heredoc and (not tokens or tokens[-1].text in REGEX_BEFORE or tokens[-1].text == "="):
            heredocs.append((heredoc.group(2), True))
            tokens.append(Token("str", "", line, True))
            i += heredoc.end()
            continue
        if c == "/" and (not tokens or tokens[-1].text in REGEX_BEFORE):
            j = i + 1
            while j < n and text[j] != "/":
                j += 2 if text[j] == "\\" else 1
            j += 1
            while j < n and text[j].isalpha():
                j += 1
            tokens.append(Token("regex", text[i:j], line))
            i = j
            continue
        if c == ":" and i + 1 < n and (text[i + 1].isalpha() or text[i + 1] == "_"):
            match = re.match(r":[A-Za-z_]\w*[?!]?", text[i:])
            assert match is not None
            tokens.append(Token("word", match.group(0), line))
            i += match.end()
            continue
        word = re.match(r"[A-Za-z_@$][\w]*[?!]?|\d[\w.]*", text[i:])
        if word:
            tokens.append(Token("word", word.group(0), line))
            i += word.end()
            continue
        two = text[i : i + 2]
        if two in ("=>", "::", "==", "<<", "->", "&&", "||", "!="):
            tokens.append(Token("punct", two, line))
            i += 2
            continue
        tokens.append(Token("punct", c, line))
        i += 1
    return tokens


def _ruby_string(text: str, i: int, quote: str) -> tuple[str, bool, int]:
    """A Ruby string literal at text[i]: its value, whether it interpolates, and the end."""
    out: list[str] = []
    dynamic = False
    j = i + 1
    while j < len(text) and text[j] != quote:
        c = text[j]
        if c == "\\" and j + 1 < len(text):
            nxt = text[j + 1]
            if quote == "'":
                out.append(nxt if nxt in "\\'" else "\\" + nxt)
            else:
                out.append(RUBY_ESCAPES.get(nxt, nxt))
            j += 2
            continue
        if quote == '"' and c == "#" and text[j + 1 : j + 2] == "{":
            dynamic = True
        out.append(c)
        j += 1
    return "".join(out), dynamic, j + 1


@dataclass(frozen=True, slots=True)
class Case:
    file: str
    line: int
    context: str  # the innermost rspec context or describe
    source: str
    category: str
    setup: str = ""  # statements the spec runs first in the same scope (`populate`)


def extract_cases(checkout: Path) -> list[Case]:
    """The static `source => result` cases of the evaluator spec files in a puppet checkout."""
    cases: list[Case] = []
    for spec in sorted((checkout / SPEC_DIR).glob("*_spec.rb")):
        text = spec.read_text(encoding="utf-8")
        name = f"{SPEC_DIR}/{spec.name}"
        for line, setup, source in _table_cases(text) + _inline_cases(text):
            context = _context_at(text, line)
            category = categorize(source, context)
            cases.append(Case(name, line, context, source, category, setup))
    seen: set[str] = set()
    unique = []
    for case in cases:  # the same source in two tables is one case
        if case.setup + case.source not in seen:
            seen.add(case.setup + case.source)
            unique.append(case)
    return unique


def _table_cases(text: str) -> list[tuple[int, str, str]]:
    """`{ "source" => result, ... }.each do |source, result| ... evaluate_string ... eq(result)`."""
    tokens = lex_ruby(text)
    lines = text.splitlines()
    out: list[tuple[int, str, str]] = []
    stack: list[int] = []
    for k, token in enumerate(tokens):
        if token.kind != "punct":
            continue
        if token.text == "{":
            stack.append(k)
        elif token.text == "}" and stack:
            start = stack.pop()
            after = [t.text for t in tokens[k + 1 : k + 5]]
            if after[:3] != [".", "each", "do"] or after[3:] != ["|"]:
                continue
            block = _block_text(lines, token.line)
            if "evaluate_string(" not in block or "raise_error" in block:
                continue
            if not re.search(r"\.to\s+(eq|eql)\(", block):
                continue
            prefix = _populate(text, token.line) if "populate" in block else ""
            for line, source in _pairs(tokens[start + 1 : k]):
                out.append((line, prefix, source))
    return out


def _pairs(body: list[Token]) -> list[tuple[int, str]]:
    """The `"source" => value` pairs at the top level of a hash literal's tokens."""
    out: list[tuple[int, str]] = []
    depth = 0
    expect_key = True
    for k, token in enumerate(body):
        if token.kind == "punct" and token.text in "([{":
            depth += 1
        elif token.kind == "punct" and token.text in ")]}":
            depth -= 1
        elif depth == 0 and token.kind == "punct" and token.text == ",":
            expect_key = True
            continue
        if depth == 0 and expect_key and token.kind == "str":
            nxt = body[k + 1] if k + 1 < len(body) else None
            value = body[k + 2] if k + 2 < len(body) else None
            is_pair = nxt is not None and nxt.text == "=>" and not token.dynamic
            if is_pair and (value is None or value.text != ":error"):
                out.append((token.line, token.text))
        expect_key = False
    return out


def _inline_cases(text: str) -> list[tuple[int, str, str]]:
    """`expect(parser.evaluate_string(scope, "source"...)).to eq(x)` and `source = "x"` then
    `expect(parser.evaluate_string(scope, source ...)).to eq(x)` in one `it`."""
    tokens = lex_ruby(text)
    out: list[tuple[int, str, str]] = []
    assigned: dict[str, Token] = {}
    for k, token in enumerate(tokens):
        words = [t.text for t in tokens[k : k + 8]]
        if token.text == "it" and token.kind == "word":
            assigned = {}
        if (
            token.kind == "word"
            and token.text in ("source", "src")
            and k + 3 < len(tokens)
            and tokens[k + 1].text == "="
            and tokens[k + 2].kind == "str"
            and not tokens[k + 2].dynamic
            and tokens[k + 3].line > tokens[k + 2].line
        ):
            assigned[token.text] = tokens[k + 2]
        if words[:8] != ["expect", "(", "parser", ".", "evaluate_string", "(", "scope", ","]:
            continue
        arg = tokens[k + 8] if k + 8 < len(tokens) else None
        if arg is None:
            continue
        if arg.kind == "str" and not arg.dynamic:
            out.append((arg.line, "", arg.text))
        elif arg.kind == "word" and arg.text in assigned:
            out.append((assigned[arg.text].line, "", assigned[arg.text].text))
    return out


def _block_text(lines: list[str], line: int) -> str:
    """The `do ... end` block opened on `line` (1-based): up to the first `end` left of its
    first statement."""
    rows = [text for text in lines[line:] if text.strip()]
    if not rows:
        return ""
    inner = len(rows[0]) - len(rows[0].lstrip())  # the block's first statement
    body = []
    for text in rows:
        if text.strip() == "end" and len(text) - len(text.lstrip()) < inner:
            break
        body.append(text)
    return "\n".join(body)


def _populate(text: str, line: int) -> str:
    """The source of the nearest `let(:populate)` before `line`, with a separating newline."""
    found = ""
    for match in re.finditer(
        r"let\(:populate\)\s+do\s+parser\.evaluate_string\(scope,\s*\"([^\"]*)\"\)", text
    ):
        if text.count("\n", 0, match.start()) + 1 < line:
            found = match.group(1) + "\n"
    return found


def _context_at(text: str, line: int) -> str:
    stack: list[tuple[int, str]] = []
    for row in text.splitlines()[: line - 1]:
        match = re.match(r"(\s*)(?:context|describe)\s+['\"]([^'\"]+)['\"]", row)
        if match:
            indent = len(match.group(1))
            while stack and stack[-1][0] >= indent:
                stack.pop()
            stack.append((indent, match.group(2)))
        elif row.strip() == "end" and stack:
            indent = len(row) - len(row.lstrip())
            while stack and stack[-1][0] >= indent:
                stack.pop()
    return stack[-1][1] if stack else ""


TYPE_NAME = re.compile(r"(?<![\w$:'\"])[A-Z]\w*")
FUNCTION_CALL = re.compile(r"(?<![\w$.])(?!(?:if|unless|case|and|or|in|undef)\b)[a-z]\w*\s*\(")
ITERATION = re.compile(r"\b(each|map|filter|reduce|with|slice|flatten|reverse_each)\b")


def categorize(source: str, context: str = "") -> str:
    """The category of a case, from what its source does first (`context`: its rspec context,
    used for nothing but a tie: kept for the record)."""
    if source.lstrip().startswith("@("):
        return "strings"  # a heredoc
    bare = re.sub(r"'[^']*'", "''", source)  # single-quoted text holds no types
    bare = re.sub(r"/(?:[^/\\\n]|\\.)+/", "//", bare)  # nor does a regex
    if re.fullmatch(r"\s*(-?[\d.]+(e-?\d+)?|0x[\da-fA-F]+|[a-z][\w:]*|//)\s*", bare):
        return "literals"
    heads = re.sub(r"\bcase\s+[^{]*\{", "case {", bare)
    resource = re.search(r"(?<![\w$])@{0,2}([a-z][\w:]*)\s*\{\s*['\"\w$]+\s*:", heads)
    if TYPE_NAME.search(bare) or (resource and resource.group(1) not in KEYWORDS):
        return OUT_OF_SCOPE  # a type, a resource or a class
    if ITERATION.search(source) and "|" in source:
        return "iteration"
    if FUNCTION_CALL.search(bare) or re.search(r"\.\w+\s*[(|]|\)\.\w+", bare):
        return "functions"
    if re.search(r"\$\{?\d|=~|!~", source):
        return "regex captures"
    if re.search(r"\b(if|unless|case)\b|\?\s*[{\w*(]", source):
        return "conditionals"
    if '"' in source and re.search(r'"[^"]*\$', source):
        return "interpolation"
    if re.fullmatch(r"\s*(['\"]).*\1\s*", source, re.S) or "@(" in source:
        return "strings"
    if re.search(r"[\[{]|^\s*\(*\*", source):
        return "collections"
    if re.search(r"[-+*/%<>=!]|\b(and|or|in)\b", source):
        return "operators"
    return "literals"


KEYWORDS = frozenset({"case", "if", "unless", "elsif", "else", "undef", "default", "and", "or"})


# ---------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path, help="a checkout of puppetlabs/puppet")
    parser.add_argument("--verbose", action="store_true", help="print every case")
    parser.add_argument("--json", type=Path, help="write every case's verdict here")
    args = parser.parse_args(argv)
    if not (args.checkout / SPEC_DIR).is_dir():
        parser.error(f"{args.checkout} has no {SPEC_DIR}")
    version = puppet_version()
    if version is None:
        parser.error("puppet is not installed")
    cases = extract_cases(args.checkout)
    answers = ask_puppet([c.setup + c.source for c in cases])
    counts: dict[str, Counter[str]] = {}
    problems: list[str] = []
    rows = []
    for case, answer in zip(cases, answers, strict=True):
        where = f"{case.file}:{case.line}"
        if "error" in answer:
            verdict, ours = "puppet-error", None
        else:
            ours = ask_driftlint(case.setup + case.source)
            verdict = judge(ours, answer["value"])
        counts.setdefault(case.category, Counter())[verdict] += 1
        theirs = answer.get("error") or show(answer.get("value"))
        rows.append(
            {"where": where, "category": case.category, "source": case.source,
             "verdict": verdict, "puppet": theirs, "driftlint": show_ours(ours)}
        )  # fmt: skip
        if verdict == "wrong" or (verdict == "unparsed" and case.category != OUT_OF_SCOPE):
            problems.append(
                f"  {verdict:8} {where} [{case.category}] {case.source!r}\n"
                f"           puppet {theirs}; driftlint {show_ours(ours)}"
            )
        if args.verbose:
            print(f"{verdict:12} {where} [{case.category}] {case.source!r}: puppet {theirs}; "
                  f"driftlint {show_ours(ours)}")  # fmt: skip
    print(f"puppet {version}; {len(cases)} cases read from {SPEC_DIR}")
    print(f"{'category':24} {'static':>6} {'supported':>9} {'agree':>6} {'wrong':>6} "
          f"{'unknown':>7} {'alts':>5} {'unparsed':>8} {'puppet-error':>12}")  # fmt: skip
    total: Counter[str] = Counter()
    for category in (*CATEGORIES, OUT_OF_SCOPE):
        c = counts.get(category, Counter())
        static = sum(c.values()) - c["puppet-error"]
        supported = c["agree"] + c["wrong"]
        if category != OUT_OF_SCOPE:
            total.update(c)
        print(
            f"{category:24} {static:6} {supported:9} {c['agree']:6} {c['wrong']:6} "
            f"{c['unknown']:7} {c['alternatives']:5} {c['unparsed']:8} {c['puppet-error']:12}"
        )
    static = sum(total.values()) - total["puppet-error"]
    supported = total["agree"] + total["wrong"]
    if problems:
        print("disagreements (a known value that is not Puppet's, or a source not parsed):")
        print("\n".join(problems))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    share = 100.0 * total["agree"] / supported if supported else 100.0
    print(
        f"static {static}, supported {supported}, agreeing {total['agree']} "
        f"({share:.1f}% of supported, {100.0 * total['agree'] / max(static, 1):.1f}% of static)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
