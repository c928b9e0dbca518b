from yilan_cli.cli import main

main()
