"""An in-tree PEP 517 build backend for the checker's tests: a project that
pip builds offline, with no build requirements to fetch.

    [build-system]
    requires = []
    build-backend = "backend"
    backend-path = ["."]

The project's metadata is `project.json` in its folder, a spec as
make_wheels.py reads it (copied beside this file). build_wheel makes the
wheel make_wheels.py makes; build_editable (PEP 660) makes one whose only
payload is a `.pth` naming the project folder, which is how an editable
install puts a project on sys.path. pip runs these hooks in the project
folder, and asks build_wheel for the metadata when there is no
prepare_metadata_for_build_wheel.
"""
import json
import os

import make_wheels


def _spec():
    with open("project.json") as f:
        return json.load(f)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return make_wheels.wheel(wheel_directory, _spec())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    spec = _spec()
    pth = f"__editable__.{make_wheels.dist_name(spec['name'])}.pth"
    return make_wheels.wheel(wheel_directory, spec, payload={pth: os.getcwd() + "\n"})
