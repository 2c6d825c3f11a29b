"""The page server of `dipforms run` and `dipforms serve`: the built site, the API beside it,
and the pages posted without JavaScript. It reads the generator's output and model, and
borrows the API's checks through dipforms_cli.py; generator/ and api/ never import it."""
