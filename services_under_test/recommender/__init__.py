"""The reference recommendation service: what a well-behaved real-time recommender looks like.

Run it with ``python -m services_under_test.recommender --port 8080``.
"""
