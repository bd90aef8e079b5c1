from village.cli import main

main()
