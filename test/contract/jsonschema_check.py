"""The contract as a Python team reads it: PyYAML loads the file, jsonschema (Draft 2020-12) validates values.

Run by test/contract/portability.test.ts with the contract's path as its argument and a JSON list of cases
({"id", "schema", "value"}) on standard input. It prints one JSON object: the document as loaded, every pattern
Python's re refused, every component schema the 2020-12 metaschema refused, and per case whether the value is valid
and the first errors. Formats are annotations here, as JSON Schema 2020-12 makes them by default.
"""
import json
import re
import sys

import yaml
from jsonschema import Draft202012Validator


def patterns(node, path):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield path, value
            yield from patterns(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from patterns(value, f"{path}/{index}")


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        contract = yaml.safe_load(file)
    components = contract["components"]
    refused_patterns = []
    for path, pattern in patterns(contract, ""):
        try:
            re.compile(pattern)
        except re.error as error:
            refused_patterns.append({"path": path, "error": str(error)})
    refused_schemas = []
    for name, schema in components["schemas"].items():
        for error in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema):
            refused_schemas.append({"schema": name, "error": error.message})
    validators = {}
    results = []
    for case in json.load(sys.stdin):
        name = case["schema"]
        if name not in validators:
            # A $ref into the document's own components, resolved against this root: no resolver API needed, so the
            # same code runs on Debian's jsonschema 4.10 and on the referencing-based releases after 4.18.
            root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": f"#/components/schemas/{name}", "components": components}
            validators[name] = Draft202012Validator(root)
        errors = list(validators[name].iter_errors(case["value"]))
        results.append({
            "id": case["id"],
            "valid": not errors,
            "errors": ["/" + "/".join(str(part) for part in error.absolute_path) + ": " + error.message[:200] for error in errors[:3]],
        })
    json.dump({"document": contract, "refusedPatterns": refused_patterns, "refusedSchemas": refused_schemas, "results": results}, sys.stdout)


main()
