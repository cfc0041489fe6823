"""A webhook sink down for minutes under the distributed pipeline (issue 14, item 5).

On a real broker with the four workers: the sink refuses connections for ``--refuse`` seconds,
then answers 503 for ``--unavailable`` seconds, then 200, while ``--events`` events (three
outlets' reports each) are pushed during the first half of the outage. Prints what arrived
once the sink was back (every alert version once, per alert in version order), the outbox's
peak queue depth and retries from the alerting worker's metrics, and its resident memory over
the run. The last line is machine-readable:

    sink_outage pushed=<n> alerts=<n> repeated=<n> out_of_order=<n> refused_503=<n>
        queue_depth_max=<n> retries=<n> alerting_rss_mb=<min>-<max> recovered_s=<s>
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.support.cluster import Broker
from tests.support.sink_outage import run_outage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--refuse", type=float, default=240.0, help="seconds refusing")
    parser.add_argument("--unavailable", type=float, default=60.0, help="seconds of 503")
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    broker = Broker().start()
    workdir = Path(tempfile.mkdtemp(prefix="frontwire-sink-outage-"))
    try:
        report = run_outage(broker.bootstrap, workdir, refuse_s=args.refuse,
                            unavailable_s=args.unavailable, events=args.events, wait_s=600)
    finally:
        broker.stop()
    print(f"logs in {workdir}")
    print(f"sink_outage {report.summary()}")


if __name__ == "__main__":
    main()
