// Parameters of the other favourites (edit them, then run this)
:param dataset => 'procx';
:param consignor => '';
:param handler => 'bs';
:param rule => '';
