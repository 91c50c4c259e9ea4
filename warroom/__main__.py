from warroom._mark import mark; mark('main')
from warroom.cli import main

raise SystemExit(main())
