import idna
import six

print(f"mypkg ok: idna={idna.__version__} six={six.__version__} from {__file__}")
