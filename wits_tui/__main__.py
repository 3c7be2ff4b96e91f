from wits_tui.cli import main

raise SystemExit(main())
