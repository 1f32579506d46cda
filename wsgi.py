from reviewhub import create_app

app = create_app()
