from homecoming.cli import main

raise SystemExit(main())
