"""The reference service's gRPC contract (``recommendations.proto``) and the code generated from
it. The generated modules are committed (so neither the service nor a locustfile needs
grpcio-tools at run time); ``python -m services_under_test.recommender.protos.generate``
rewrites them, and a unit test fails when they differ from what the .proto generates."""
