from services_under_test.reranker.app import main

main()
