"""Each faust worker instance keeps its RocksDB tables in a folder of its own."""

from __future__ import annotations

from pathlib import Path

from shared.kafka.app import make_app
from shared.settings import Settings


def test_instances_on_one_volume_never_share_a_table_folder(tmp_path: Path) -> None:
    one = make_app("alerting", Settings(state_dir=tmp_path, web_port=6101))
    two = make_app("alerting", Settings(state_dir=tmp_path, web_port=6102))
    again = make_app("alerting", Settings(state_dir=tmp_path, web_port=6101))
    assert Path(one.conf.datadir) != Path(two.conf.datadir)
    assert Path(one.conf.datadir) == Path(again.conf.datadir)  # a restart finds its tables
    assert Path(one.conf.datadir).parent == tmp_path


def test_a_named_instance_keeps_its_folder_whatever_the_host(tmp_path: Path) -> None:
    app = make_app("alerting", Settings(state_dir=tmp_path, instance_id="alerting-1"))
    assert Path(app.conf.datadir).name == "faust-alerting-alerting-1"
