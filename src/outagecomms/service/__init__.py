"""``outagecomms serve``: the REST API and the alert hooks (README "The service" and "Alert
intake: routes.yaml").

One ASGI application (FastAPI under uvicorn) over the same store and the same Python API
as the CLI. It keeps no state of its own between requests, so several replicas can run
behind a load balancer on PostgreSQL.
"""
