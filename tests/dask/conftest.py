"""One real 2-process LocalCluster for every rs.dask test module (spawned workers)."""

import pytest


@pytest.fixture(scope="session")
def client():
    distributed = pytest.importorskip("distributed")
    # nothing here runs at import time: the workers are spawned processes
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as c:
            yield c
