#!/usr/bin/env python3
"""check_schema.py — holds scenarios/schema.json to the scenario loader, both ways.

    check_schema.py TIERSIM SCHEMA SCENARIO_OR_FOLDER... [--self-test]

A folder stands for its *.json files, but for the schema itself.

1. The schema is a valid JSON Schema (draft 2020-12, checked against its metaschema).
2. Every SCENARIO, as written (comments removed), validates against it; so does the scenario
   as the loader read it, every default filled in (`tiersim check --keys` prints both).
3. For every object the loader read (`tiersim check --keys` lists each with the keys its
   reader asked for), the properties the schema gives that object, as it stands (the `type`
   of a component, the `dist` of a distribution and the like decide which branch applies),
   are exactly the loader's keys, and the schema closes the object
   (additionalProperties: false), as the loader rejects an unknown key.
4. Every closed object of the schema met at least one object of the scenarios: a kind of
   object that no scenario has is not compared, so a test scenario must show it.

A property whose schema is `false` is a key the loader knows and refuses in that branch
(`alarm` in a TargetTrackingScaling policy, say: "only a StepScaling or SimpleScaling policy
takes alarm"); it counts as a property, as the loader counts it as a key.

--self-test breaks a copy of the schema in each of the ways the checks must catch (a key
removed, a key added, a wrong type, an object kind no scenario has) and fails unless every
break is reported: the checks can fail.

Exit status: 0 all good, 1 a check failed, 2 bad usage or tiersim failed.
"""
import copy
import glob
import json
import os
import re
import subprocess
import sys

import jsonschema


def strip_comments(text):
    """The text with // and /* */ comments outside strings blanked, as the loader does."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def show(path):
    """A JSON path as the loader writes it: .components.web.handlers.default[0]"""
    s = "".join("[%d]" % p if isinstance(p, int) else "." + p for p in path)
    return s or "."


class Schema:
    def __init__(self, root):
        self.root = root
        self.validator = jsonschema.Draft202012Validator(root)

    def valid(self, sub, instance):
        return self.validator.evolve(schema=sub).is_valid(instance)

    def deref(self, ref):
        if not ref.startswith("#/"):
            raise ValueError("only local $refs are supported: " + ref)
        node = self.root
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node, ref[1:]

    def applicable(self, node, ptr, inst):
        """Every (subschema, pointer) that applies to inst at this level: node itself, its
        $ref, allOf, the anyOf/oneOf branches inst meets, if/then/else, dependentSchemas."""
        if not isinstance(node, dict):
            return []
        out = [(node, ptr)]
        if "$ref" in node:
            target, tptr = self.deref(node["$ref"])
            out += self.applicable(target, tptr, inst)
        for i, sub in enumerate(node.get("allOf", [])):
            out += self.applicable(sub, "%s/allOf/%d" % (ptr, i), inst)
        for kw in ("anyOf", "oneOf"):
            for i, sub in enumerate(node.get(kw, [])):
                if self.valid(sub, inst):
                    out += self.applicable(sub, "%s/%s/%d" % (ptr, kw, i), inst)
        if "if" in node:
            branch = "then" if self.valid(node["if"], inst) else "else"
            if branch in node:
                out += self.applicable(node[branch], ptr + "/" + branch, inst)
        if isinstance(inst, dict):
            for k, sub in node.get("dependentSchemas", {}).items():
                if k in inst:
                    out += self.applicable(sub, "%s/dependentSchemas/%s" % (ptr, k), inst)
        return out

    def child(self, nodes, seg, inst):
        """The subschemas that apply to inst[seg], given those that apply to inst."""
        out = []
        for node, ptr in nodes:
            if isinstance(seg, int):
                prefix = node.get("prefixItems", [])
                if seg < len(prefix):
                    out += self.applicable(prefix[seg], "%s/prefixItems/%d" % (ptr, seg),
                                           inst[seg])
                elif isinstance(node.get("items"), dict):
                    out += self.applicable(node["items"], ptr + "/items", inst[seg])
                continue
            props = node.get("properties", {})
            matched = seg in props
            if matched:
                out += self.applicable(props[seg], "%s/properties/%s" % (ptr, seg), inst[seg])
            for pat, sub in node.get("patternProperties", {}).items():
                if re.search(pat, seg):
                    matched = True
                    out += self.applicable(sub, "%s/patternProperties/%s" % (ptr, pat),
                                           inst[seg])
            if not matched and isinstance(node.get("additionalProperties"), dict):
                out += self.applicable(node["additionalProperties"],
                                       ptr + "/additionalProperties", inst[seg])
        return out

    def at(self, doc, path):
        nodes, inst = self.applicable(self.root, "", doc), doc
        for seg in path:
            nodes = self.child(nodes, seg, inst)
            inst = inst[seg]
        return nodes, inst

    def closed_objects(self):
        """Pointers of every object schema that takes no other keys."""
        found = []

        def walk(node, ptr):
            if isinstance(node, dict):
                if node.get("additionalProperties") is False:
                    found.append(ptr)
                for k, v in node.items():
                    walk(v, "%s/%s" % (ptr, k.replace("~", "~0").replace("/", "~1")))
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, "%s/%d" % (ptr, i))

        walk(self.root, "")
        return found


def errors_of(schema, doc, what):
    out = []
    for e in sorted(schema.validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        out.append("%s: %s: %s" % (what, show(list(e.absolute_path)), e.message))
    return out


def check(root, runs):
    """Every problem of the schema `root` against the loader's `runs`: a list of strings."""
    try:
        jsonschema.Draft202012Validator.check_schema(root)
    except jsonschema.SchemaError as e:
        return ["the schema is not a valid JSON Schema 2020-12: %s (at %s)"
                % (e.message, show(list(e.absolute_path)))]
    schema = Schema(root)
    problems, covered = [], set()
    for name, raw, listed in runs:
        problems += errors_of(schema, raw, name)
        problems += errors_of(schema, listed["scenario"], name + " (as read, defaults filled in)")
        for obj in listed["objects"]:
            path, keys = obj["path"], set(obj["keys"])
            where = "%s: %s" % (name, show(path))
            nodes, inst = schema.at(listed["scenario"], path)
            props, closed = set(), []
            for node, ptr in nodes:
                props |= set(node.get("properties", {}))
                if node.get("additionalProperties") is False:
                    closed.append(ptr)
            covered.update(closed)
            if not closed:
                problems.append("%s: the loader rejects unknown keys here, but the schema does "
                                "not close this object (additionalProperties: false)" % where)
            for k in sorted(keys - props):
                problems.append("%s: the loader knows \"%s\", the schema does not (schema %s)"
                                % (where, k, ", ".join("#" + p for p in closed) or "#"))
            for k in sorted(props - keys):
                problems.append("%s: the schema has \"%s\", the loader does not know it "
                                "(schema %s)" % (where, k, ", ".join("#" + p for p in closed)
                                                 or "#"))
    for ptr in schema.closed_objects():
        if ptr not in covered:
            problems.append("schema #%s: no scenario has an object of this kind, so it is not "
                            "compared with the loader: add one to a scenario in tests/schema"
                            % ptr)
    return problems


def load_runs(tiersim, files):
    runs = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            raw = json.loads(strip_comments(fh.read()))
        p = subprocess.run([tiersim, "check", "--keys", f], capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write("schema: tiersim check --keys %s failed (%d):\n%s"
                             % (f, p.returncode, p.stderr))
            sys.exit(2)
        runs.append((f, raw, json.loads(p.stdout)))
    return runs


def self_test(root, runs):
    """Each break of the schema must be reported: the checks can fail."""
    defs = root["$defs"]
    assert "idle_timeout" in defs["alb"]["properties"] and "vcpus" in defs["instance"]["properties"]
    breaks = [
        ("a key the loader knows removed (alb idle_timeout)",
         lambda s: s["$defs"]["alb"]["properties"].pop("idle_timeout"),
         'the loader knows "idle_timeout"'),
        ("a key the loader does not know added (health_check grace)",
         lambda s: s["$defs"]["health_check"]["properties"].update(grace={"type": "number"}),
         'the schema has "grace"'),
        ("a wrong type (instance vcpus a string)",
         lambda s: s["$defs"]["instance"]["properties"]["vcpus"].update(type="string"),
         "is not of type 'string'"),
        ("an object kind no scenario has",
         lambda s: s["$defs"].update(unused={"type": "object", "additionalProperties": False}),
         "schema #/$defs/unused: no scenario has"),
        ("an open object (alb without additionalProperties: false)",
         lambda s: s["$defs"]["alb"].pop("additionalProperties"),
         "does not close this object"),
    ]
    assert not check(root, runs), "the schema must pass before it is broken"
    failed = 0
    for what, brk, expect in breaks:
        broken = copy.deepcopy(root)
        brk(broken)
        found = [p for p in check(broken, runs) if expect in p]
        print("self-test: %s: %s" % (what, "reported" if found else "NOT REPORTED"))
        if found:
            print("  e.g. " + found[0])
        failed += not found
    return failed


def main(argv):
    args = [a for a in argv[1:] if a != "--self-test"]
    if len(args) < 3:
        sys.stderr.write(__doc__)
        return 2
    tiersim, schema_file, files = args[0], args[1], []
    for a in args[2:]:
        if os.path.isdir(a):
            files += [f for f in sorted(glob.glob(os.path.join(a, "*.json")))
                      if not os.path.samefile(f, schema_file)]
        else:
            files.append(a)
    with open(schema_file, encoding="utf-8") as fh:
        root = json.load(fh)
    runs = load_runs(tiersim, files)
    if "--self-test" in argv:
        return 1 if self_test(root, runs) else 0
    problems = check(root, runs)
    for p in problems:
        print(p)
    nobj = sum(len(r[2]["objects"]) for r in runs)
    print("schema: %d scenarios, %d objects compared with the loader: %s"
          % (len(runs), nobj, "%d problems" % len(problems) if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
