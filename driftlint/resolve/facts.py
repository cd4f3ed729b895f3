"""The facts a role or a node is evaluated with: what Hiera levels may use."""

from __future__ import annotations

from driftlint.parse.puppet import ast
from driftlint.resolve.scope import string_literal

# Facts that name one host. A role is checked for no host in particular, so host-level Hiera
# data must not apply to it: giving these facts a value that names no file keeps those levels
# out, and the nodes that name a host bring them in.
HOST_FACTS = (
    "trusted.certname",
    "certname",
    "fqdn",
    "hostname",
    "facts.fqdn",
    "facts.hostname",
    "facts.networking.fqdn",
    "networking.fqdn",
)


NO_HOST = "driftlint-no-host.invalid"


def role_facts(name: str | None) -> dict[str, str]:
    facts = {key: NO_HOST for key in HOST_FACTS}
    if name is not None:
        facts.update({"role": name, "_role": name.replace("::", "/"), "facts.role": name})
    return facts


def node_facts(node: ast.NodeDef) -> dict[str, str]:
    facts: dict[str, str] = {}
    for inner in node.body:
        # `role(x)` (Wikimedia's wmflib) sets the `_role` fact that Hiera levels use.
        if isinstance(inner, ast.Call) and inner.name == "role" and len(inner.args) == 1:
            arg = inner.args[0]
            name = arg.text if isinstance(arg, ast.Name) else string_literal(arg)
            if name:
                facts.update(role_facts(name.lstrip(":")))
    return facts | _host_facts(node)


def _host_facts(node: ast.NodeDef) -> dict[str, str]:
    for match in node.matches:
        certname = string_literal(match)
        if certname is not None:
            short = certname.split(".")[0]
            facts = {key: certname for key in HOST_FACTS}
            facts.update({"hostname": short, "facts.hostname": short})
            return facts
    # A regex or default node names no host we can tell: no host-level data, as for a role.
    return {key: "driftlint-no-host.invalid" for key in HOST_FACTS}
