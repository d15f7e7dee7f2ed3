from nemodesk.cli import main

raise SystemExit(main())
