"""Hub organizations (枢纽型社会组织), street federations (联合会), service platforms, pairing, and delegated supervision."""
