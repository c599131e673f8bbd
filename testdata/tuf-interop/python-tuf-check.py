"""Reads a repository that rvm-repo made with python-tuf's ngclient.

A manual interoperability check (not run by make test): python-tuf is not
on PyPI here, so it is taken from its source, v3.1.1, which works with
Debian's python3-securesystemslib 0.26.

    apt-get install python3-securesystemslib python3-requests
    git clone --branch v3.1.1 https://github.com/theupdateframework/python-tuf /tmp/pytuf
    (cd DIR/public && python3 -m http.server 18765 --bind 127.0.0.1) &
    PYTUF=/tmp/pytuf python3 testdata/tuf-interop/python-tuf-check.py DIR/public/metadata/1.root.json
"""
import os, sys, shutil, tempfile
sys.path.insert(0, os.environ.get("PYTUF", "/tmp/pytuf"))
from tuf.ngclient import Updater
d = tempfile.mkdtemp()
shutil.copy(sys.argv[1], os.path.join(d, "root.json"))
tdir = tempfile.mkdtemp()
u = Updater(metadata_dir=d, metadata_base_url="http://127.0.0.1:18765/metadata/", target_base_url="http://127.0.0.1:18765/targets/", target_dir=tdir)
u.refresh()
print("python-tuf refreshed: root v%d, targets v%d" % (u._trusted_set.root.signed.version, u._trusted_set.targets.signed.version))
for name in sorted(u._trusted_set.targets.signed.targets):
    info = u.get_targetinfo(name)
    path = u.download_target(info)
    print("downloaded and verified", name, os.path.getsize(path), "bytes")
