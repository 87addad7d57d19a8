from services_under_test.recommender.server import main

main()
