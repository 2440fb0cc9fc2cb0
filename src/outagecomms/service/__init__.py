"""``outagecomms serve``: the REST API and the alert hooks (product-spec §9 and §11).

One ASGI application (FastAPI under uvicorn) over the same store and the same Python API
as the CLI. It keeps no state of its own between requests, so several replicas can run
behind a load balancer on PostgreSQL.
"""
