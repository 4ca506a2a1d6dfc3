#!/usr/bin/python3
"""mamori's TUF metadata against another implementation: Debian's python3-securesystemslib.

    securesystemslib_interop.py verify REPOSITORY_DIR
        Every metadata file mamori wrote is checked by securesystemslib: each role's signatures
        verify, to its threshold, over the canonical JSON securesystemslib encodes (so both sides
        sign the same bytes), and each key id is the SHA-256 of the key's canonical form.

    securesystemslib_interop.py make-repo OUT_DIR
        A repository signed by securesystemslib keys (Ed25519 and ECDSA P-256, root threshold 2),
        with one target, for mamori's client to read.
"""
import datetime
import hashlib
import json
import os
import sys

from securesystemslib import formats, keys


def canonical(value):
    return formats.encode_canonical(value).encode("utf-8")


def key_id(public):
    return hashlib.sha256(canonical(public)).hexdigest()


def threshold_met(role_name, metadata, role, known_keys):
    valid = set()
    for signature in metadata["signatures"]:
        keyid = signature["keyid"]
        if keyid not in role["keyids"] or keyid not in known_keys:
            continue
        key = dict(known_keys[keyid], keyid=keyid)
        if keys.verify_signature(key, signature, canonical(metadata["signed"])):
            valid.add(keyid)
    if len(valid) < role["threshold"]:
        raise SystemExit(f"{role_name}: {len(valid)} valid signature(s), threshold "
                         f"{role['threshold']}")
    return len(valid)


def verify(repo):
    metadata_dir = os.path.join(repo, "metadata")
    files = sorted(os.listdir(metadata_dir))
    documents = {}
    for name in files:
        with open(os.path.join(metadata_dir, name), "rb") as f:
            raw = f.read()
        documents[name] = json.loads(raw)
    roots = sorted((n for n in files if n.endswith(".root.json")), key=lambda n: int(n.split(".")[0]))
    signatures = 0
    trusted = None
    for name in roots:
        root = documents[name]
        for keyid, public in root["signed"]["keys"].items():
            if key_id(public) != keyid:
                raise SystemExit(f"{name}: key id {keyid} is not the SHA-256 of the key")
        signer = trusted or root["signed"]
        signatures += threshold_met(name, root, signer["roles"]["root"], signer["keys"])
        signatures += threshold_met(name, root, root["signed"]["roles"]["root"], root["signed"]["keys"])
        trusted = root["signed"]
    delegations = {}
    for name in files:
        signed = documents[name]["signed"]
        kind = signed["_type"]
        if kind == "targets" and "delegations" in signed:
            for role in signed["delegations"]["roles"]:
                delegations[role["name"]] = (role, signed["delegations"]["keys"])
    for name in files:
        if name.endswith(".root.json") or name == "root.json":
            continue
        document = documents[name]
        kind = document["signed"]["_type"]
        role_name = name.split(".", 1)[1][:-5] if name[0].isdigit() else name[:-5]
        if kind != "targets" or role_name == "targets":
            role, known = trusted["roles"][kind], trusted["keys"]
        else:
            role, known = delegations[role_name]
        signatures += threshold_met(name, document, role, known)
    print(f"securesystemslib verified {signatures} signature(s) in {len(files)} file(s)")


def expires(days):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def public_of(key):
    return {"keytype": key["keytype"], "scheme": key["scheme"],
            "keyval": {"public": key["keyval"]["public"]}}


def signed_by(signed, signers):
    data = canonical(signed)
    return {"signatures": [dict(keys.create_signature(k, data), keyid=key_id(public_of(k)))
                           for k in signers], "signed": signed}


def write(path, document):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)


def make_repo(out):
    root_keys = [keys.generate_ed25519_key(), keys.generate_ecdsa_key()]
    role_keys = {"targets": keys.generate_ecdsa_key(), "snapshot": keys.generate_ed25519_key(),
                 "timestamp": keys.generate_ed25519_key()}
    all_keys = {key_id(public_of(k)): public_of(k) for k in root_keys + list(role_keys.values())}
    roles = {"root": {"keyids": [key_id(public_of(k)) for k in root_keys], "threshold": 2}}
    for name, key in role_keys.items():
        roles[name] = {"keyids": [key_id(public_of(key))], "threshold": 1}
    common = {"spec_version": "1.0.31", "version": 1}
    root = dict(common, _type="root", expires=expires(365), consistent_snapshot=True,
                keys=all_keys, roles=roles)
    content = "securesystemslib から mamori へ\n".encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    targets = dict(common, _type="targets", expires=expires(90), targets={
        "files/hello.txt": {"length": len(content), "hashes": {"sha256": digest}}})
    targets_doc = signed_by(targets, [role_keys["targets"]])
    targets_bytes = json.dumps(targets_doc).encode("utf-8")
    snapshot = dict(common, _type="snapshot", expires=expires(7), meta={
        "targets.json": {"version": 1, "length": len(targets_bytes),
                         "hashes": {"sha256": hashlib.sha256(targets_bytes).hexdigest()}}})
    snapshot_doc = signed_by(snapshot, [role_keys["snapshot"]])
    snapshot_bytes = json.dumps(snapshot_doc).encode("utf-8")
    timestamp = dict(common, _type="timestamp", expires=expires(1), meta={
        "snapshot.json": {"version": 1, "length": len(snapshot_bytes),
                          "hashes": {"sha256": hashlib.sha256(snapshot_bytes).hexdigest()}}})
    write(os.path.join(out, "metadata", "1.root.json"), signed_by(root, root_keys))
    write(os.path.join(out, "metadata", "timestamp.json"),
          signed_by(timestamp, [role_keys["timestamp"]]))
    for name, raw in (("1.targets.json", targets_bytes), ("1.snapshot.json", snapshot_bytes)):
        with open(os.path.join(out, "metadata", name), "wb") as f:
            f.write(raw)
    os.makedirs(os.path.join(out, "targets", "files"), exist_ok=True)
    with open(os.path.join(out, "targets", "files", f"{digest}.hello.txt"), "wb") as f:
        f.write(content)
    print(f"securesystemslib signed a repository in {out}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("verify", "make-repo"):
        raise SystemExit(__doc__)
    (verify if sys.argv[1] == "verify" else make_repo)(sys.argv[2])
