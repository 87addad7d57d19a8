"""The reference service's downstream dependency: a small re-ranking service.

``python -m services_under_test.reranker --port 8081 [--slowdown-ms 50]``
"""
