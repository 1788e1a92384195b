"""Builds tiny pure-Python wheels for envguard's demo: no network, no setuptools.

Usage: python3 make_wheels.py OUT_DIR NAME==VERSION ...

A wheel is a zip with the module, and METADATA, WHEEL and RECORD under
NAME-VERSION.dist-info (PEP 427); that is all pip needs to install one.
"""
import base64
import hashlib
import os
import sys
import zipfile


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build(out_dir, name, version):
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}.py": f'"""The {name} package of envguard\'s demo."""\nVERSION = "{version}"\n'.encode(),
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: envguard-demo\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [record_line(path, data) for path, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = os.path.join(out_dir, f"{module}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name_in_zip, data in files.items():
            wheel.writestr(name_in_zip, data)


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for spec in sys.argv[2:]:
        name, version = spec.split("==")
        build(out_dir, name, version)


if __name__ == "__main__":
    main()
