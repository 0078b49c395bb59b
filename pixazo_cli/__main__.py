from pixazo_cli.entry import main

main()
