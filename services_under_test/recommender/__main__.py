from services_under_test.recommender.main import main

main()
