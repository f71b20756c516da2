#!/usr/bin/env python3
"""Validates the Glue documents `floe table ddl --engine glue` prints against botocore's Glue service model.

Usage: glue_validate.py FILE...   (each FILE: one JSON document per line, as `floe table ddl --engine glue` prints)

A document with "TableInput" is checked as the input of CreateTable, one with "PartitionInputList" as the input
of BatchCreatePartition. Exit 0 when every document is valid; 1 with the validation report otherwise; 3 when
botocore is not installed (the caller skips).
"""
import json
import sys

try:
    import botocore.session
    import botocore.validate
except ImportError:
    print("botocore is not installed", file=sys.stderr)
    sys.exit(3)


def main(paths):
    model = botocore.session.get_session().get_service_model("glue")
    validator = botocore.validate.ParamValidator()
    failures = 0
    checked = {"CreateTable": 0, "BatchCreatePartition": 0}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            lines = [line for line in f.read().splitlines() if line.strip()]
        for number, line in enumerate(lines, 1):
            params = json.loads(line)
            if "TableInput" in params:
                operation = "CreateTable"
            elif "PartitionInputList" in params:
                operation = "BatchCreatePartition"
            else:
                print(f"{path}:{number}: neither a CreateTable nor a BatchCreatePartition input", file=sys.stderr)
                failures += 1
                continue
            report = validator.validate(params, model.operation_model(operation).input_shape)
            checked[operation] += 1
            if report.has_errors():
                print(f"{path}:{number}: {operation}: {report.generate_report()}", file=sys.stderr)
                failures += 1
    print(json.dumps({"checked": checked, "failures": failures}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
