import { render } from 'preact';
import '../shared/base.css';
import './ops.css';
import { OpsApp } from './ops-app';

render(<OpsApp />, document.getElementById('app') ?? document.body);
