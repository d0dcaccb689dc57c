package web

// accessRowsExternal classify this feature's routes.
var accessRowsExternal = []accessRow{}
