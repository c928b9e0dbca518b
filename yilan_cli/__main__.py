from yilan_cli.entry import main

main()
