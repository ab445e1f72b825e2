# Shortcuts for the scripts the README names (make is optional; the scripts need only bash and python3).
.PHONY: demo test bench examples
demo:
	bash scripts/demo
test:
	bash scripts/test
examples:
	bash scripts/examples
