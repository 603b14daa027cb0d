"""The backup store: bundles saved atomically, listed, loaded back, tampering and bad ids caught."""

from __future__ import annotations

import base64
import json
import os

import pytest

from vcdtpm.adapters.backup_files import BackupDamaged, BackupFiles, checksum_of, is_backup_id
from vcdtpm.config import Config, load_config
from vcdtpm.domain.errors import Invalid, NotFound
from vcdtpm.ports import TpmBackup

VM = "urn:vcloud:vm:6b0a5c3e-0000-4000-8000-000000000001"


def a_backup(**changes) -> TpmBackup:
    values = dict(
        vm_name="web-1",
        guest_os="windows2019srv_64Guest",
        hardware_version=19,
        firmware="efi",
        key_provider="kp-gold",
        key_id="0b7e6a4e-1111-4222-8333-944455556666",
        encryption_bundle="vmware:key/list/(pair/(fqid/<VMWARE-NULL>/0b7e))",
        tpm_device={"key": 11000, "endorsement_key_certificate": ["RUtDRVJU"]},
        nvram=bytes(range(256)),
        identity="sha256:" + "ab" * 32,
    )
    values.update(changes)
    return TpmBackup(**values)


@pytest.fixture
def store(tmp_path):
    return BackupFiles(tmp_path / "tpm-backups")


def bundle_file(store: BackupFiles, backup_id: str):
    return store.directory / f"{backup_id}.json"


def test_a_saved_backup_loads_back_equal_and_intact(store):
    saved = store.save(VM, "vc-a", a_backup())
    loaded = store.load(saved.id)
    assert loaded == saved and loaded.intact
    assert loaded.backup.nvram == bytes(range(256))
    assert loaded.checksum.startswith("sha256:") and loaded.size == os.path.getsize(bundle_file(store, saved.id))


def test_a_bundle_is_one_json_file_with_base64_nvram_and_a_checksum_over_its_payload(store):
    saved = store.save(VM, "vc-a", a_backup())
    bundle = json.loads(bundle_file(store, saved.id).read_text())
    assert bundle["checksum"] == checksum_of(bundle["payload"]) == saved.checksum
    assert base64.b64decode(bundle["payload"]["backup"]["nvram"]) == bytes(range(256))
    assert bundle["payload"]["id"] == saved.id and bundle["payload"]["vm"] == VM


def test_ids_are_uuids_and_no_temporary_file_is_left_behind(store):
    saved = store.save(VM, "vc-a", a_backup())
    assert is_backup_id(saved.id)
    assert [p.name for p in store.directory.iterdir()] == [f"{saved.id}.json"]


def test_bundles_are_readable_by_their_owner_only(store):
    saved = store.save(VM, "vc-a", a_backup())
    assert bundle_file(store, saved.id).stat().st_mode & 0o077 == 0


def test_the_list_holds_every_bundle_oldest_first(store):
    first = store.save(VM, "vc-a", a_backup())
    second = store.save(VM, "vc-a", a_backup(vm_name="web-9"))
    listed = store.list()
    assert {b.id for b in listed} == {first.id, second.id}
    assert [b.created_at for b in listed] == sorted(b.created_at for b in listed)


def test_an_empty_or_missing_directory_lists_nothing(store):
    assert store.list() == []


def test_a_changed_nvram_byte_is_caught_by_the_checksum(store):
    saved = store.save(VM, "vc-a", a_backup())
    path = bundle_file(store, saved.id)
    bundle = json.loads(path.read_text())
    nvram = bytearray(base64.b64decode(bundle["payload"]["backup"]["nvram"]))
    nvram[100] ^= 0x01
    bundle["payload"]["backup"]["nvram"] = base64.b64encode(bytes(nvram)).decode()
    path.write_text(json.dumps(bundle))
    assert store.load(saved.id).intact is False
    assert [b.intact for b in store.list()] == [False]


def test_a_changed_key_provider_is_caught_by_the_checksum(store):
    saved = store.save(VM, "vc-a", a_backup())
    path = bundle_file(store, saved.id)
    path.write_text(path.read_text().replace("kp-gold", "kp-evil"))
    assert store.load(saved.id).intact is False


def test_a_bundle_copied_under_another_id_does_not_verify(store):
    saved = store.save(VM, "vc-a", a_backup())
    other = "0e0e0e0e-0000-4000-8000-000000000000"
    bundle_file(store, other).write_bytes(bundle_file(store, saved.id).read_bytes())
    assert store.load(other).intact is False


@pytest.mark.parametrize("content", ["{not json", "[]", '{"payload": {"vm": 1}}', '{"payload": []}'])
def test_a_bundle_that_cannot_be_read_back_is_damaged_and_left_out_of_the_list(store, content):
    saved = store.save(VM, "vc-a", a_backup())
    bundle_file(store, saved.id).write_text(content)
    with pytest.raises(BackupDamaged):
        store.load(saved.id)
    assert store.list() == []


def test_an_unknown_id_is_not_found(store):
    with pytest.raises(NotFound):
        store.load("0e0e0e0e-0000-4000-8000-000000000000")


@pytest.mark.parametrize(
    "bad",
    [
        "../etc/passwd",
        "/etc/passwd",
        "..",
        "",
        "0E0E0E0E-0000-4000-8000-000000000000",
        "0e0e0e0e-0000-4000-8000-000000000000/../x",
        "0e0e0e0e00004000800000000000000",
        "0e0e0e0e-0000-4000-8000-000000000000\n",
        None,
        7,
    ],
)
def test_a_bad_id_is_refused_before_any_path_is_built(store, bad):
    with pytest.raises(Invalid) as caught:
        store.load(bad)
    assert caught.value.field == "id"


def test_files_that_are_not_bundles_are_ignored_by_the_list(store):
    store.save(VM, "vc-a", a_backup())
    (store.directory / "notes.json").write_text("{}")
    (store.directory / ".partial.tmp").write_text("x")
    assert len(store.list()) == 1


def test_the_backup_directory_defaults_under_the_data_dir_and_a_config_file_can_move_it(tmp_path):
    assert Config(data_dir=str(tmp_path)).tpm_backup_dir == str(tmp_path / "tpm-backups")
    config_file = tmp_path / "vcdtpm.yaml"
    config_file.write_text(f"data_dir: {tmp_path}\nbackup_dir: {tmp_path / 'vault'}\n")
    assert load_config(str(config_file)).tpm_backup_dir == str(tmp_path / "vault")


def test_a_backup_directory_that_is_not_a_path_is_refused_by_name(tmp_path):
    config_file = tmp_path / "vcdtpm.yaml"
    config_file.write_text("backup_dir: [1, 2]\n")
    with pytest.raises(Invalid) as caught:
        load_config(str(config_file))
    assert caught.value.field == "backup_dir"
