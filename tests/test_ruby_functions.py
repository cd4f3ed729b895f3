"""Ruby template functions are recognised by shape, never run."""

from __future__ import annotations

import pytest

from driftlint.resolve.ruby_functions import read_functions, template_name

PATH = "modules/m/lib/puppet/parser/functions/f.rb"


def _one(body: str) -> str | None:
    head = "module Puppet::Parser::Functions\n  newfunction(:f, :type => :rvalue) do |args|\n"
    text = f"{head}{body}  end\nend\n"
    return template_name(read_functions([(PATH, text)]), "f", ["a", "b"], "mod")


@pytest.mark.parametrize(
    ("body", "ref"),
    [
        pytest.param(
            '    function_template(["x/#{args[0]}.erb"])\n', None, id="index-in-string-unknown"
        ),
        pytest.param(
            '    n = args[1]\n    function_template(["x/#{n}.erb"])\n', "x/b.erb", id="index"
        ),
        pytest.param('    p, q = args\n    function_template(["#{q}/#{p}"])\n', "b/a", id="unpack"),
        pytest.param(
            "    m = lookupvar('module_name')\n    function_template([\"#{m}/t.erb\"])\n",
            "mod/t.erb",
            id="module-name",
        ),
        pytest.param("    function_template(['x/fixed.erb'])\n", "x/fixed.erb", id="literal"),
        pytest.param("    system('rm -rf /')\n", None, id="other-code-is-not-recognised"),
    ],
)
def test_template_name_by_shape(body: str, ref: str | None) -> None:
    assert _one(body) == ref


def test_a_file_outside_lib_functions_is_not_read() -> None:
    text = "newfunction(:f) do |args|\n  function_template(['x'])\nend\n"
    assert read_functions([("modules/m/files/f.rb", text)]) == {}


def test_delegation_loops_end() -> None:
    text = "newfunction(:{0}) do |args|\n  function_{1}(args)\nend\n"
    files = [(PATH, text.format("f", "g")), (PATH.replace("f.rb", "g.rb"), text.format("g", "f"))]
    assert template_name(read_functions(files), "f", [], "m") is None
